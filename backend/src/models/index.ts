/** The model service's parts: registry, trainers, the training queue and the TensorFlow.js runtime. */
export { ModelRegistry, ModelError, type Trainer, type TrainJob } from './registry.js';
export { createInlineTrainer, createPoolTrainer, runTrainJob } from './trainer.js';
export { TrainingQueue } from './queue.js';
export { loadTf, tfjsBackend, type TfjsBackend } from './runtime.js';
