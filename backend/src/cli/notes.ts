/** What `trafficlens score` says on stderr when the scores may not be what the user expects. */

export function fallbackNote(file: string, from: string, detector: string): string {
  return `--detector ${from} needs a trained model and none was given (--model): these are ${detector}'s scores, and the state is "learning". Train one with \`trafficlens train ${file} --detector ${from} --out models\`, then score with \`--model models/<id>\`.`;
}
