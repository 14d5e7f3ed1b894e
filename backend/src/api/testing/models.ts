/**
 * The model service as tests open it: one temporary-folder registry with an in-process trainer, a
 * silent logger and small limits unless a test says otherwise (one place instead of one per test file).
 */
import { pino } from 'pino';
import { openModels, type Models, type ModelsOptions } from '../models.js';
import { createInlineTrainer } from '../../models/trainer.js';

export function openTestModels(dir: string, options: Partial<ModelsOptions> = {}): Promise<Models> {
  return openModels({
    dir,
    trainingThreads: 1,
    limits: { maxPointsPerSeries: 1000 },
    logger: pino({ level: 'silent' }),
    version: 'test',
    trainer: createInlineTrainer(),
    ...options,
  });
}
