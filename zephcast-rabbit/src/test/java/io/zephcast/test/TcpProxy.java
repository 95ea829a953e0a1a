package io.zephcast.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the broker that a test can break at will: {@link #cut()} drops
 * every link abruptly, {@link #freeze()} stops forwarding the broker's bytes (a link that
 * died silently), {@link #swallow()} drops what either side sends and answers nothing on
 * new links (a network that loses every packet, without closing anything),
 * {@link #refuse()} stops accepting (a broker that is down).
 */
public final class TcpProxy implements AutoCloseable {

	private final String targetHost;

	private final int targetPort;

	private final int port;

	private final ExecutorService threads = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "tcp-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile ServerSocket server;

	private volatile boolean frozen;

	private volatile boolean swallowing;

	private final AtomicInteger accepted = new AtomicInteger();

	public TcpProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		try (ServerSocket probe = new ServerSocket(0)) {
			this.port = probe.getLocalPort();
		}
	}

	/**
	 * A proxy in front of the test broker's AMQP port, not yet accepting.
	 * @return the proxy
	 */
	public static TcpProxy forBroker() throws IOException {
		java.net.URI uri = java.net.URI.create(RabbitBroker.url());
		return new TcpProxy(uri.getHost(), (uri.getPort() != -1) ? uri.getPort() : 5672);
	}

	/**
	 * The broker URL through this proxy.
	 * @return the AMQP URL
	 */
	public String url() {
		return RabbitBroker.url().replaceFirst("@[^/]+/?$", "@127.0.0.1:" + this.port + "/");
	}

	/**
	 * How many connections the proxy accepted so far.
	 * @return the count
	 */
	public int accepted() {
		return this.accepted.get();
	}

	public int port() {
		return this.port;
	}

	/**
	 * Starts accepting connections.
	 * @return this proxy
	 */
	public synchronized TcpProxy accept() throws IOException {
		if (this.server != null) {
			return this;
		}
		ServerSocket server = new ServerSocket();
		server.setReuseAddress(true);
		server.bind(new InetSocketAddress("127.0.0.1", this.port));
		this.server = server;
		this.threads.execute(() -> acceptLoop(server));
		return this;
	}

	private void acceptLoop(ServerSocket server) {
		while (!server.isClosed()) {
			try {
				Socket client = server.accept();
				this.accepted.incrementAndGet();
				if (this.swallowing) {
					this.sockets.add(client);
					this.threads.execute(() -> drain(client));
					continue;
				}
				Socket broker = new Socket(this.targetHost, this.targetPort);
				client.setTcpNoDelay(true);
				broker.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(broker);
				this.threads.execute(() -> pump(client, broker, false));
				this.threads.execute(() -> pump(broker, client, true));
			}
			catch (IOException ex) {
				// closed by refuse() or close()
			}
		}
	}

	private void pump(Socket from, Socket to, boolean fromBroker) {
		byte[] buffer = new byte[16384];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) != -1) {
				while (fromBroker && this.frozen && !from.isClosed()) {
					Thread.sleep(5);
				}
				if (from.isClosed() || to.isClosed()) {
					break;
				}
				if (this.swallowing) {
					continue;
				}
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException | InterruptedException ex) {
			// the link was cut
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	/**
	 * Reads and drops what the client sends, answering nothing, until the link is cut.
	 */
	private void drain(Socket client) {
		byte[] buffer = new byte[16384];
		try (InputStream in = client.getInputStream()) {
			while (in.read(buffer) != -1) {
				// swallowed
			}
		}
		catch (IOException ex) {
			// the link was cut
		}
		finally {
			closeQuietly(client);
		}
	}

	/**
	 * Drops every open link at once, as a network failure would.
	 */
	public void cut() {
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
		}
		this.sockets.clear();
		// only now: a frozen pump must not forward what it holds before its link is gone
		this.frozen = false;
		this.swallowing = false;
	}

	/**
	 * Drops whatever either side sends from now on, and closes nothing: each side sees a
	 * link that never answers. A side that closes its socket still closes the link. New
	 * links are accepted but never reach the broker: the TCP connection opens, the AMQP
	 * handshake never does. Until {@link #cut()} or {@link #forward()}.
	 */
	public void swallow() {
		this.swallowing = true;
	}

	/** Links forward again, new ones reach the broker. */
	public void forward() {
		this.swallowing = false;
	}

	/**
	 * Stops forwarding what the broker sends: the client sees a silent link.
	 */
	public void freeze() {
		this.frozen = true;
	}

	public void thaw() {
		this.frozen = false;
	}

	/**
	 * Stops accepting and drops every link: to the client the broker is down.
	 */
	public synchronized void refuse() throws IOException {
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
		cut();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (SocketException ex) {
			// already closed
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		refuse();
		this.threads.shutdownNow();
	}

}
