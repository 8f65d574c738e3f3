/*
 * cardforge bench peer (bench/peers/README.md): the workloads of bench/runtime.ts as a Java Card
 * applet for jCardSim. INS 12: 16 fixed bytes back (A0..AF); INS 14: SHA-256 of the command data;
 * INS 16: write the 16 data bytes to persistent memory inside a transaction; INS 18: read them.
 */
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.MessageDigest;

public class BenchApplet extends Applet {
    private static final byte INS_FIXED16 = (byte) 0x12;
    private static final byte INS_SHA256 = (byte) 0x14;
    private static final byte INS_WRITE16 = (byte) 0x16;
    private static final byte INS_READ16 = (byte) 0x18;

    private final byte[] fixed = new byte[16];
    private final byte[] store = new byte[16];
    private final byte[] digest;
    private final MessageDigest sha;

    protected BenchApplet() {
        for (short i = 0; i < 16; i++) {
            fixed[i] = (byte) (0xA0 + i);
        }
        sha = MessageDigest.getInstance(MessageDigest.ALG_SHA_256, false);
        digest = JCSystem.makeTransientByteArray((short) 32, JCSystem.CLEAR_ON_DESELECT);
        register();
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new BenchApplet();
    }

    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        switch (buf[ISO7816.OFFSET_INS]) {
            case INS_FIXED16:
                Util.arrayCopyNonAtomic(fixed, (short) 0, buf, (short) 0, (short) 16);
                apdu.setOutgoingAndSend((short) 0, (short) 16);
                return;
            case INS_SHA256: {
                short len = apdu.setIncomingAndReceive();
                sha.doFinal(buf, ISO7816.OFFSET_CDATA, len, digest, (short) 0);
                Util.arrayCopyNonAtomic(digest, (short) 0, buf, (short) 0, (short) 32);
                apdu.setOutgoingAndSend((short) 0, (short) 32);
                return;
            }
            case INS_WRITE16: {
                short len = apdu.setIncomingAndReceive();
                if (len != 16) {
                    ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
                }
                JCSystem.beginTransaction();
                Util.arrayCopy(buf, ISO7816.OFFSET_CDATA, store, (short) 0, (short) 16);
                JCSystem.commitTransaction();
                return;
            }
            case INS_READ16:
                Util.arrayCopyNonAtomic(store, (short) 0, buf, (short) 0, (short) 16);
                apdu.setOutgoingAndSend((short) 0, (short) 16);
                return;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }
}
