package org.m13.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in daemon for the SIGKILL test: attaches the steering program to an
 * interface in a namespace, prints {@code attached <program id>} and sleeps until killed.
 */
public final class XdpHolder {
    private XdpHolder() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        Netns.enter(args[0]);
        XdpProgram program = XdpProgram.attach(args[1], XdpProgram.DEFAULT_UDP_PORT, XdpProgram.Mode.AUTO);
        System.out.write(("attached " + program.programId() + "\n").getBytes(StandardCharsets.US_ASCII));
        System.out.flush();
        Thread.sleep(60_000);
        // Reached only if nobody kills us: keep the program reachable until then.
        System.out.println("not killed, detaching " + program.programId());
        program.close();
    }
}
