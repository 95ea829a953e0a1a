package io.zephcast.sample;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import io.zephcast.rabbit.RabbitConnectionException;

import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports a start-up that failed because the broker could not be reached as one line
 * naming the URL and what to do, instead of the failure-analysis banner: the sample is
 * often the first thing someone runs, before there is a broker. Other failures are left
 * to Spring Boot's usual reporting. Registered in {@code META-INF/spring.factories}, and
 * ordered before Boot's own reporter.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public class BrokerUnreachableReporter implements SpringBootExceptionReporter {

	private static final String URL_HINT = "--zephcast.rabbit.url=amqp://user:password@host:5672/ "
			+ "(or ZEPHCAST_RABBIT_URL)";

	@Override
	public boolean reportException(Throwable failure) {
		RabbitConnectionException failed = find(failure, RabbitConnectionException.class);
		if (failed == null) {
			return false;
		}
		System.err.println(line(failed));
		return true;
	}

	static String line(RabbitConnectionException failed) {
		if (noBrokerAnswered(failed)) {
			return "No RabbitMQ answers at " + failed.maskedUrl() + " (" + rootMessage(failed) + "). Start one with "
					+ "'sudo apt-get install -y rabbitmq-server' or 'docker run -d -p 5672:5672 "
					+ "rabbitmq:3-management' (or run the sample with 'spring-boot:test-run', which starts one in "
					+ "Docker), or point the sample at yours: " + URL_HINT + ".";
		}
		// it answered but refused us (login, virtual host, TLS): starting another broker
		// will not help
		return "RabbitMQ at " + failed.maskedUrl() + " refused the connection (" + rootMessage(failed)
				+ "). Check the user, password and virtual host in " + URL_HINT + ".";
	}

	private static boolean noBrokerAnswered(Throwable failure) {
		return find(failure, ConnectException.class) != null || find(failure, UnknownHostException.class) != null
				|| find(failure, NoRouteToHostException.class) != null
				|| find(failure, SocketTimeoutException.class) != null;
	}

	private static String rootMessage(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return message.strip().replaceAll("\\.+$", "");
	}

	private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (type.isInstance(candidate)) {
				return type.cast(candidate);
			}
		}
		return null;
	}

}
