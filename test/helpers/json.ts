/**
 * A parsed JSON body of the API under test (or of a bench worker's answer). Deliberately `any`:
 * tests read fields straight off it (`res.body.data.id`) and the assertion that follows
 * (t.equal/t.same/t.match) is the type check; typing every answer here would restate the
 * contract the assertions already pin. This alias is the one place tests may use `any`, so
 * `no-explicit-any` stays an error everywhere else (eslint.config.js).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one named escape hatch, see above
export type Json = any;
