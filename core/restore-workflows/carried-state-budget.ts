/**
 * Room in a copying step's state for the multipart uploads it leaves open. Each is carried by
 * its target key (up to 1,024 bytes, more once JSON escapes it) to the next invocation, and a
 * page of 200 versions (or an archive of 1,000 objects) all above 5 GiB, all left open (a
 * deadline, a throttled part of each), would outgrow the 256 KiB a Step Functions state holds:
 * the step's result would fail the execution with States.DataLimitExceeded, which no Catch
 * sees, so with no failure document and no cleanup.
 */

/**
 * Bytes (UTF-8 JSON) a copying step's result may take: half of a state's 256 KiB, the rest
 * left to the execution's input, the plan and the planning scan's cursor.
 */
export const COPY_RESULT_BYTES = 128 * 1024;

/** What the result holds besides the carried uploads and refusal counts: a cursor (two keys of up to 1,024 bytes), the counts, a setback of up to 2,000 characters. */
const REST_OF_RESULT_BYTES = 16 * 1024;

/** What an upload's entry may take besides its key: its id (S3 documents no length) and condition, generously. */
const UPLOAD_ENTRY_BYTES = 1024;

/**
 * Lets a copy that may open a new upload start only while the carried state, with room for
 * that upload and for those of the copies already under way, stays within the budget.
 */
export class CarriedStateBudget {
  private reserved = 0;

  /** `carried`: what the step's state carries now (its open uploads and refusal counts). */
  constructor(private readonly carried: () => unknown, private readonly limit: number = COPY_RESULT_BYTES - REST_OF_RESULT_BYTES) {}

  /**
   * Runs `copy`, which may open an upload of `key`, when there is room for it; `no-room` when
   * there is not (the copy is left to a later invocation, once carried uploads are done: they
   * are gone on with first). With nothing carried, the room of one key always is there.
   */
  async withRoomFor<T>(key: string, copy: () => Promise<T>): Promise<T | 'no-room'> {
    const room = Buffer.byteLength(JSON.stringify(key)) + UPLOAD_ENTRY_BYTES;
    const carried = Buffer.byteLength(JSON.stringify(this.carried()));
    if (carried + this.reserved + room > this.limit) {
      return 'no-room';
    }
    this.reserved += room;
    try {
      return await copy();
    } finally {
      this.reserved -= room;
    }
  }
}
