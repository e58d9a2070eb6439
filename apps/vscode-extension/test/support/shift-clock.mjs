// Preloaded into the real API (node --import) to move its clock forward by
// TESSERA_TEST_CLOCK_OFFSET_MS, so a token created earlier is judged expired without waiting.
const offset = Number(process.env.TESSERA_TEST_CLOCK_OFFSET_MS ?? '0')
const RealDate = Date
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset)
    else super(...args)
  }
  static now() {
    return RealDate.now() + offset
  }
}
globalThis.Date = ShiftedDate
