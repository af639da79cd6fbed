/** The DeadLetterStore of this app's consumer group. */
export const DEAD_LETTER_STORE = Symbol('switchboard:dead-letter-store');
/** The EventMetadataStamp[] this app applies to what it publishes, and to the events an operator replays. */
export const EVENT_METADATA_STAMPS = Symbol('switchboard:event-metadata-stamps');
