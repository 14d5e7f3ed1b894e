/**
 * The network-wide detector of a job's groups: after each run, every group's new aligned vectors (one
 * value per member series at each step, as scored) go to the group's NetworkDetector (network/), and its
 * episodes, labelled with the group and its members, feed the incidents (jobs/incidents.ts).
 *
 * A group's detector is rebuilt when its members change (a series appears or is dropped): it then
 * learns again from the points the members' rings retain, scored causally as they were. So is every
 * group after a restart: nothing of it is persisted, the rings are.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { NetworkDetector, type NetworkDetectorOptions } from '../network/detector.js';
import { seriesKey, type Labels } from '../sources/source.js';
import type { JobSpec } from './config.js';
import { groupOf, type NetworkEpisode } from './incidents.js';
import type { SeriesSlot } from './seriesTable.js';

/** Fewer members than this give no network-wide view worth a detector. */
export const MIN_NETWORK_MEMBERS = 3;

/** Vectors pushed between yields to the event loop (the default refit schedule). */
const YIELD_EVERY = 24;

interface GroupState {
  group: Labels;
  /** The members' keys, sorted, joined: the detector's identity. */
  members: string;
  labels: Labels[];
  detector: NetworkDetector;
  /** Newest timestamp pushed. */
  lastT: number;
}

export class JobNetwork {
  private readonly groups = new Map<string, GroupState>();
  private readonly options: Partial<NetworkDetectorOptions>;

  constructor(private readonly spec: JobSpec) {
    this.options = {
      window: spec.network.window,
      refitEvery: spec.network.refitEvery,
      sensitivity: spec.sensitivity,
    };
  }

  /**
   * Push each group's vectors newer than the last pushed, up to the newest step every member has.
   * Yields to the event loop between refits: a backfill of a large group refits many times.
   */
  async update(slots: Iterable<SeriesSlot>): Promise<void> {
    const byGroup = new Map<string, { group: Labels; slots: SeriesSlot[] }>();
    for (const slot of slots) {
      const group = groupOf(slot.labels, this.spec.groups);
      if (!group) continue;
      const id = seriesKey(group);
      let entry = byGroup.get(id);
      if (!entry) byGroup.set(id, (entry = { group, slots: [] }));
      entry.slots.push(slot);
    }
    for (const id of this.groups.keys()) if (!byGroup.has(id)) this.groups.delete(id);
    for (const [id, { group, slots: members }] of byGroup) {
      if (members.length < MIN_NETWORK_MEMBERS) {
        this.groups.delete(id);
        continue;
      }
      members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const keys = members.map((m) => m.key).join('\n');
      let state = this.groups.get(id);
      if (!state || state.members !== keys) {
        state = {
          group,
          members: keys,
          labels: members.map((m) => m.labels),
          detector: new NetworkDetector(members.length, this.options),
          lastT: -Infinity,
        };
        this.groups.set(id, state);
      }
      try {
        await this.feed(state, members);
      } catch {
        // A decomposition that failed (degenerate data): the group starts over rather than fail the run.
        this.groups.delete(id);
      }
    }
  }

  /** Every group's retained network episodes. */
  episodes(): NetworkEpisode[] {
    const out: NetworkEpisode[] = [];
    for (const state of this.groups.values()) {
      for (const e of state.detector.episodes()) {
        out.push({
          group: state.group,
          start: e.start,
          end: e.end,
          open: e.open,
          peakTime: e.peakTime,
          peakScore: e.peakScore,
          contributions: e.contributions.map((c) => ({ labels: state.labels[c.member], share: c.share })),
        });
      }
    }
    return out;
  }

  private async feed(state: GroupState, members: SeriesSlot[]): Promise<void> {
    const until = Math.min(...members.map((m) => m.ring.newestTimestamp() ?? -Infinity));
    if (!(until > state.lastT)) return;
    const columns = members.map((m) => m.ring.range(state.lastT + 1, until));
    const times = [...new Set(columns.flatMap((c) => c.timestamps))].sort((a, b) => a - b);
    // One cursor per member: its timestamps are ascending, like `times`.
    const cursor = new Array<number>(members.length).fill(0);
    let pushed = 0;
    for (const t of times) {
      const values = columns.map((c, j) => {
        while (cursor[j] < c.timestamps.length && c.timestamps[cursor[j]] < t) cursor[j]++;
        return c.timestamps[cursor[j]] === t ? c.values[cursor[j]] : null;
      });
      state.detector.push(t, values);
      if (++pushed % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    state.lastT = until;
    const oldest = Math.min(...members.map((m) => m.ring.oldestTimestamp() ?? Infinity));
    state.detector.forgetBefore(oldest);
  }
}
