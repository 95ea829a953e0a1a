package io.zephcast.autoconfigure.rabbit;

import java.util.Set;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The auto-configuration uses the library's API only: never its internal package, never
 * the machinery that is (or becomes) internal, and of {@code io.zephcast.rabbit} only the
 * types a user of the library meets. Read from the compiled main classes.
 */
class AutoConfigurationArchitectureTests {

	private static final String LIBRARY = "io.zephcast.rabbit";

	/** The machinery that used to be public for the auto-configuration's sake. */
	private static final Set<String> MACHINERY = Set.of("RabbitTopology", "RabbitListenerContainers", "RetryQueues",
			"AmqpUrl", "BrokerInfo");

	/**
	 * The library's API: what the auto-configuration may use of it. Builders count as
	 * their type ({@code RabbitClient.Builder} is {@code RabbitClient}'s).
	 */
	private static final Set<String> API = Set.of("RabbitClient", "RabbitConfig", "RabbitMessage",
			"RabbitMessageHandler", "SendOptions", "MessageHeaders", "RabbitClientStatus", "RabbitClientMetrics",
			"DeliveryOutcome", "AckCoalescing", "ConnectionOptions", "PublisherOptions", "QueueArguments",
			"RetryPolicy", "RabbitSslOptions", "DeclareMode", "ExchangeType", "QueueType", "QueueOverflow", "Protocol",
			"RabbitClientException", "RabbitConnectionException", "SendFailedException", "UnroutableMessageException",
			"InvalidMessageException", "AckFailedException", "BrokerBlockedException", "TopologyMismatchException",
			"InvalidRabbitConfigException", "BrokerCompatibilityException", "RabbitConnectionFactories");

	private static final JavaClasses AUTO_CONFIGURATION = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.zephcast.autoconfigure");

	@Test
	void neverReachesIntoTheLibrarysInternalPackage() {
		noClasses().should().dependOnClassesThat().resideInAPackage(LIBRARY + ".internal..").check(AUTO_CONFIGURATION);
	}

	@Test
	void neverUsesTheLibrarysMachineryByName() {
		noClasses().should()
			.dependOnClassesThat(libraryTypeNamed("one of " + MACHINERY, MACHINERY::contains))
			.check(AUTO_CONFIGURATION);
	}

	@Test
	void usesOnlyTheLibrarysApi() {
		noClasses().should()
			.dependOnClassesThat(libraryTypeNamed("outside the API " + API, (name) -> !API.contains(name)))
			.check(AUTO_CONFIGURATION);
	}

	/**
	 * A type of the library (in any of its packages) whose top-level class has a name:
	 * nested types, such as a builder or a status record, count as their outer type.
	 */
	private static DescribedPredicate<JavaClass> libraryTypeNamed(String description,
			java.util.function.Predicate<String> name) {
		return DescribedPredicate.describe("are zephcast library types " + description, (type) -> {
			String packageName = type.getPackageName();
			if (!packageName.equals(LIBRARY) && !packageName.startsWith(LIBRARY + ".")) {
				return false;
			}
			String topLevel = type.getName().substring(packageName.length() + 1).split("\\$")[0];
			return name.test(topLevel);
		});
	}

}
