package io.companies.reindexer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ServerSocketFactory;

/**
 * A TCP proxy in front of a real service, so a test can make that service unreachable and bring it back: {@link #cut}
 * drops every connection and refuses new ones, exactly what a client sees when the service stops. Given a TLS server
 * socket factory it terminates TLS, and forwards in plaintext: a service that speaks TLS in front of one that does not.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final ServerSocketFactory listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this(targetHost, targetPort, ServerSocketFactory.getDefault());
    }

    /** A proxy whose clients connect through {@code listener}'s sockets, e.g. TLS ones. */
    public TcpProxy(String targetHost, int targetPort, ServerSocketFactory listener) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listener;
        this.port = ServiceProcess.freePort();
        restore();
    }

    public int port() {
        return port;
    }

    /** Accepts connections again and forwards them to the target. */
    public synchronized void restore() throws IOException {
        ServerSocket listening = listener.createServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new InetSocketAddress("localhost", port));
        server = listening;
        Thread.ofPlatform().daemon().name("proxy-accept-" + port).start(() -> accept(listening));
    }

    /** Closes every connection and stops listening: clients get resets, then "connection refused". */
    public synchronized void cut() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                // Closed by cut(), or the target refused: the client sees its connection end.
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // One side closed: close both below.
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // Already closed.
            }
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
