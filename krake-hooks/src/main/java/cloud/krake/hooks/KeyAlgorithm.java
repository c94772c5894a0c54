package cloud.krake.hooks;

/**
 * The key type of the client certificates issued to applications. Krake issues RSA-2048; EC P-256
 * is the default here, 40 to 60 times faster to generate and as widely supported by TLS clients.
 */
public enum KeyAlgorithm {
  /** EC on the NIST P-256 curve (secp256r1), signed with SHA-256 (the default). */
  EC_P256,
  /** RSA with a 2048-bit modulus, signed with SHA-256, as Krake. */
  RSA_2048
}
