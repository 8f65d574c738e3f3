/*
 * cardforge bench peer (bench/peers/README.md): runs BenchApplet in jCardSim's in-process
 * simulator (com.licel.jcardsim.base.Simulator, byte[] APDUs) with the workloads and the timing of
 * bench/runtime.ts — each answer checked once, then a 150 ms warm-up and the best of ROUNDS rounds
 * of MS milliseconds — and prints one parseable line per workload:
 *   RESULT <trivial|sha256|write16> <APDU per second> best-of-<ROUNDS>x<MS>ms
 * A wrong answer prints "CHECK FAILED ..." and exits 1. Usage: java JCardSimBench [MS] [ROUNDS]
 *
 * `java JCardSimBench serve` is the paired mode of `npm run bench` (bench/peers/jcardsim.ts): after
 * the same checks and a 150 ms warm-up of each workload it prints "READY", then reads lines
 * "<trivial|sha256|write16> <MS>" on standard input, times one round of MS milliseconds and answers
 * "RATE <workload> <APDU per second>", so that cardforge's rounds and jCardSim's alternate in
 * the same run; it ends at end of input or on "quit".
 */
import com.licel.jcardsim.base.Simulator;
import com.licel.jcardsim.utils.AIDUtil;
import java.security.MessageDigest;
import java.util.Arrays;
import javacard.framework.AID;

public final class JCardSimBench {
    private static Simulator sim;

    private static byte[] command(int ins, byte[] data, int le) {
        int n = 4 + (data.length > 0 ? 1 + data.length : 0) + (le >= 0 ? 1 : 0);
        byte[] c = new byte[n];
        c[0] = (byte) 0x80;
        c[1] = (byte) ins;
        int i = 4;
        if (data.length > 0) {
            c[i++] = (byte) data.length;
            System.arraycopy(data, 0, c, i, data.length);
            i += data.length;
        }
        if (le >= 0) {
            c[i] = (byte) le;
        }
        return c;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }

    private static void check(String what, byte[] cmd, byte[] want) {
        byte[] got = sim.transmitCommand(cmd);
        if (!Arrays.equals(got, want)) {
            System.out.println("CHECK FAILED " + what + ": want " + hex(want) + ", got " + hex(got));
            System.exit(1);
        }
    }

    private static byte[] withSw(byte[] data) {
        byte[] r = Arrays.copyOf(data, data.length + 2);
        r[data.length] = (byte) 0x90;
        return r;
    }

    private static void warmUp(byte[] cmd) {
        long warmEnd = System.nanoTime() + 150_000_000L;
        while (System.nanoTime() < warmEnd) {
            for (int i = 0; i < 1000; i++) {
                sim.transmitCommand(cmd);
            }
        }
    }

    /** APDU per second over one round of about ms milliseconds. */
    private static double round(byte[] cmd, long ms) {
        long n = 0;
        long t0 = System.nanoTime();
        long t = t0;
        while (t - t0 < ms * 1_000_000L) {
            for (int i = 0; i < 1000; i++) {
                sim.transmitCommand(cmd);
            }
            n += 1000;
            t = System.nanoTime();
        }
        return n * 1e9 / (t - t0);
    }

    private static double rate(byte[] cmd, long ms, int rounds) {
        warmUp(cmd);
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            best = Math.max(best, round(cmd, ms));
        }
        return best;
    }

    private static void serve(byte[] fixedCmd, byte[] shaCmd, byte[] writeCmd) throws java.io.IOException {
        warmUp(fixedCmd);
        warmUp(shaCmd);
        warmUp(writeCmd);
        System.out.println("READY");
        System.out.flush();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            if (w[0].equals("quit")) {
                return;
            }
            byte[] cmd = w[0].equals("trivial") ? fixedCmd : w[0].equals("sha256") ? shaCmd : w[0].equals("write16") ? writeCmd : null;
            if (cmd == null || w.length != 2) {
                System.out.println("ERROR unknown request: " + line);
            } else {
                System.out.println("RATE " + w[0] + " " + Math.round(round(cmd, Long.parseLong(w[1]))));
            }
            System.out.flush();
        }
    }

    public static void main(String[] args) throws Exception {
        boolean serveMode = args.length > 0 && args[0].equals("serve");
        long ms = args.length > 0 && !serveMode ? Long.parseLong(args[0]) : 700;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        sim = new Simulator();
        AID aid = AIDUtil.create("F0636172646667FF0001");
        sim.installApplet(aid, BenchApplet.class);
        sim.selectApplet(aid);

        byte[] fixed = new byte[16];
        for (int i = 0; i < 16; i++) {
            fixed[i] = (byte) (0xA0 + i);
        }
        byte[] shaData = new byte[64];
        Arrays.fill(shaData, (byte) 0x5a);
        byte[] write = new byte[16];
        for (int i = 0; i < 16; i++) {
            write[i] = (byte) (i + 1);
        }
        byte[] fixedCmd = command(0x12, new byte[0], 0x10);
        byte[] shaCmd = command(0x14, shaData, 0x20);
        byte[] writeCmd = command(0x16, write, -1);
        check("FIXED16", fixedCmd, withSw(fixed));
        check("SHA-256", shaCmd, withSw(MessageDigest.getInstance("SHA-256").digest(shaData)));
        check("WRITE16", writeCmd, withSw(new byte[0]));
        check("READ16 after WRITE16", command(0x18, new byte[0], 0x10), withSw(write));

        if (serveMode) {
            serve(fixedCmd, shaCmd, writeCmd);
            return;
        }
        String how = " best-of-" + rounds + "x" + ms + "ms";
        System.out.println("RESULT trivial " + Math.round(rate(fixedCmd, ms, rounds)) + how);
        System.out.println("RESULT sha256 " + Math.round(rate(shaCmd, ms, rounds)) + how);
        System.out.println("RESULT write16 " + Math.round(rate(writeCmd, ms, rounds)) + how);
    }
}
