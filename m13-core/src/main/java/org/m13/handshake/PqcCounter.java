package org.m13.handshake;

/**
 * Counts the expensive operations a handshake core performs, so that tests (and the
 * hub's telemetry) can show that bad input costs no post-quantum work. One counter per
 * PQC thread; not thread-safe. X25519 is counted too but is not "PQC".
 */
public final class PqcCounter {
    private long mlKemKeyGen;
    private long mlKemEncaps;
    private long mlKemDecaps;
    private long mlDsaSign;
    private long mlDsaVerify;
    private long x25519;

    public long mlKemKeyGen() {
        return mlKemKeyGen;
    }

    public long mlKemEncaps() {
        return mlKemEncaps;
    }

    public long mlKemDecaps() {
        return mlKemDecaps;
    }

    public long mlDsaSign() {
        return mlDsaSign;
    }

    public long mlDsaVerify() {
        return mlDsaVerify;
    }

    /** X25519 key generations and agreements (each counts once). */
    public long x25519() {
        return x25519;
    }

    /** All ML-KEM and ML-DSA operations. */
    public long pqcOperations() {
        return mlKemKeyGen + mlKemEncaps + mlKemDecaps + mlDsaSign + mlDsaVerify;
    }

    void countMlKemKeyGen() {
        mlKemKeyGen++;
    }

    void countMlKemEncaps() {
        mlKemEncaps++;
    }

    void countMlKemDecaps() {
        mlKemDecaps++;
    }

    void countMlDsaSign() {
        mlDsaSign++;
    }

    void countMlDsaVerify() {
        mlDsaVerify++;
    }

    void countX25519() {
        x25519++;
    }

    @Override
    public String toString() {
        return "ML-KEM keygen " + mlKemKeyGen + " encaps " + mlKemEncaps + " decaps " + mlKemDecaps
                + ", ML-DSA sign " + mlDsaSign + " verify " + mlDsaVerify + ", X25519 " + x25519;
    }
}
