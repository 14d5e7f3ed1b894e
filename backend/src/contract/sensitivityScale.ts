/**
 * The sensitivity's scale, shared with the plugins' editors: 0 flags only the most extreme deviations,
 * 100 small ones. It imports nothing, so the plugins take it verbatim (see severity.ts); the zod schema
 * and what a sensitivity does to the score are in sensitivity.ts.
 */
export const SENSITIVITY_SCALE = { min: 0, max: 100, default: 50 } as const;
