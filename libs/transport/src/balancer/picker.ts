/** A subchannel a picker can choose: how many calls it carries right now. */
export interface Pickable {
  readonly outstanding: number;
}

/** Chooses the instance for the next call among those that can take it (never empty). */
export interface Picker {
  pick<T extends Pickable>(candidates: readonly T[]): T;
}

export const PICKERS = ['round_robin', 'least_outstanding'] as const;
export type PickerName = (typeof PICKERS)[number];
