/**
 * Krake's resource model: immutable records for {@link cloud.krake.model.Application}, {@link
 * cloud.krake.model.Cluster}, metrics and metrics providers, with Krake's constraint grammar,
 * validation rules and JSON form ({@link cloud.krake.model.KrakeJson}).
 *
 * <p><b>JSON names follow Krake.</b> Records are written and read with Krake's field names
 * (snake_case: {@code scheduled_to}, {@code observer_schema}, {@code backoff_limit}), enum
 * constants by name, timestamps as ISO-8601 strings, so documents written for Krake read the same
 * here. Unknown fields are ignored.
 *
 * <p><b>Null policy.</b> No accessor returns {@code null}. A value that may be absent is an {@link
 * java.util.Optional}; an absent collection is empty; other absent values take the default each
 * record documents (for example {@code backoff_limit = -1}, {@code state = PENDING}). Compact
 * constructors normalise {@code null} components this way, so JSON {@code null} and a missing field
 * read alike. A {@code null} element inside a list or map is rejected with an {@link
 * cloud.krake.model.InvalidResourceException} naming it. Factory and {@code withX} methods reject
 * {@code null} arguments with a {@link java.lang.NullPointerException} naming the parameter.
 *
 * <p><b>Immutability.</b> Collections are copied on construction; JSON trees (manifests, observer
 * schemas, kubeconfigs) are copied once on construction into read-only trees ({@link
 * cloud.krake.model.ReadOnlyJson}), which accessors return as they are, without copying. Their
 * mutators throw {@link java.lang.UnsupportedOperationException}: call {@code deepCopy()} on a
 * returned tree to get one to change. Read-only trees are shared between records, not copied.
 *
 * <p><b>Validation</b> happens at the edge: constructors only normalise (and reject the wrong
 * {@code kind}/{@code api}, {@code null} elements and unparseable constraint expressions); {@link
 * cloud.krake.model.Resource#validate()} applies Krake's rules and returns every violation at once,
 * each naming its field.
 *
 * <p><b>Secrets</b> (hook tokens, private keys, kubeconfig credentials, the InfluxDB token, the
 * data of Secret resources in manifests) are masked in {@code toString()}; they are kept in the
 * JSON form, which is what is stored.
 */
package cloud.krake.model;
