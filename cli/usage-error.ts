/** A command line the command refuses; each command exits with its documented usage code. */
export class UsageError extends Error {}
