package io.zephcast.autoconfigure.rabbit;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

/**
 * What Spring Boot prints for a failed start-up: the first analysis of the failure
 * analyzers registered in {@code spring.factories}, Spring Boot's and zephcast's, made
 * the way Spring Boot makes them (with the context's bean factory and environment).
 */
final class StartupFailures {

	private StartupFailures() {
	}

	/**
	 * The analysis of a failure, for an application with these properties.
	 * @param failure the failure
	 * @param properties the application's properties, {@code name=value}
	 * @return the analysis
	 */
	static FailureAnalysis analyze(Throwable failure, String... properties) {
		return analyze(failure, new DefaultListableBeanFactory(), properties);
	}

	/**
	 * The analysis of a failure, for an application with these beans and properties.
	 * @param failure the failure
	 * @param beanFactory the application's bean factory
	 * @param properties the application's properties, {@code name=value}
	 * @return the analysis
	 */
	static FailureAnalysis analyze(Throwable failure, @Nullable BeanFactory beanFactory, String... properties) {
		StandardEnvironment environment = new StandardEnvironment();
		TestPropertyValues.of(properties).applyTo(environment);
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, beanFactory)
			.and(Environment.class, environment);
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, arguments, FailureHandler.handleMessage((message, ex) -> {
			}))) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		throw new AssertionError("No failure analyzer explains " + failure);
	}

}
