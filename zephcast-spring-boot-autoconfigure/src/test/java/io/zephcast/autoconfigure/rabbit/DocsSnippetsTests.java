package io.zephcast.autoconfigure.rabbit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Every {@code yaml} block of the README and of {@code docs/*.md} binds to the real
 * properties: {@code zephcast.rabbit.*} to {@link ZephcastRabbitProperties} with unknown
 * keys failing (as a typo in an application's YAML would be silently ignored otherwise),
 * and every {@code zephcast} key is one the configuration metadata the build produces
 * knows. So a snippet a user copies is one the starter accepts. And the table of
 * {@code docs/configuration.md} lists exactly the keys of the metadata.
 */
class DocsSnippetsTests {

	private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\s*\\n(.*?)^```");

	/** The key of a row of the configuration page's table. */
	private static final Pattern TABLE_KEY = Pattern.compile("(?m)^\\| `((?:zephcast|management)\\.[^`]+)` \\|");

	/** A named stream's keys are the default stream's keys. */
	private static final Pattern STREAM = Pattern.compile("^zephcast\\.rabbit\\.streams\\.[^.]+\\.");

	/** Keys of a map property: the metadata knows the map, not its keys. */
	private static final Pattern MAP_ENTRY = Pattern
		.compile("^(zephcast\\.rabbit\\.(?:queue\\.arguments|binding-arguments))\\..+$");

	@TestFactory
	Stream<DynamicTest> everyYamlSnippetBindsWithoutUnknownKeys() throws IOException {
		Set<String> known = metadataNames();
		return snippets().entrySet().stream().map((snippet) -> DynamicTest.dynamicTest(snippet.getKey(), () -> {
			List<PropertySource<?>> sources = load(snippet.getKey(), snippet.getValue());
			List<String> keys = zephcastKeys(sources);
			assertThat(keys).as("zephcast keys in " + snippet.getKey()).isNotEmpty();
			for (String key : keys) {
				assertThat(known).as("%s in %s is not in the configuration metadata", key, snippet.getKey())
					.contains(normalized(key));
			}
			assertThatNoException().as(snippet.getKey()).isThrownBy(() -> bind(sources));
		}));
	}

	@Test
	void anUnknownKeyFailsTheBinding() throws IOException {
		List<PropertySource<?>> sources = load("typo",
				"zephcast:\n  rabbit:\n    queue-name: orders\n    consumer:\n      retries: 3\n");
		assertThat(metadataNames()).doesNotContain(normalized("zephcast.rabbit.consumer.retries"));
		assertThatException().isThrownBy(() -> bind(sources));
	}

	@Test
	void theConfigurationPageListsEveryKeyOfTheMetadata() throws IOException {
		Set<String> documented = new HashSet<>();
		Matcher row = TABLE_KEY.matcher(Files.readString(repositoryRoot().resolve("docs/configuration.md")));
		while (row.find()) {
			documented.add(row.group(1).replace(".<name>.*", "").replaceAll("\\.\\*$", ""));
		}
		assertThat(documented).as("keys of docs/configuration.md's table")
			.containsExactlyInAnyOrderElementsOf(metadataNames());
	}

	@Test
	void theDocsHaveYamlSnippets() throws IOException {
		assertThat(snippets()).hasSizeGreaterThanOrEqualTo(5);
	}

	private static void bind(List<PropertySource<?>> sources) {
		// the conversion Spring Boot binds the properties bean with
		Binder binder = new Binder(ConfigurationPropertySources.from(sources), null,
				ApplicationConversionService.getSharedInstance());
		binder.bind(ZephcastPropertyNames.ROOT, Bindable.of(ZephcastRabbitProperties.class),
				new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
	}

	private static String normalized(String key) {
		String name = key.replaceAll("\\[\\d+\\]$", "");
		name = STREAM.matcher(name).replaceFirst(ZephcastPropertyNames.ROOT + ".");
		Matcher entry = MAP_ENTRY.matcher(name);
		return entry.matches() ? entry.group(1) : name;
	}

	private static List<String> zephcastKeys(List<PropertySource<?>> sources) {
		List<String> keys = new ArrayList<>();
		for (PropertySource<?> source : sources) {
			for (String name : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
				if (name.startsWith("zephcast.") || name.startsWith("management.health.zephcast.")) {
					keys.add(name);
				}
			}
		}
		return keys;
	}

	private static List<PropertySource<?>> load(String name, String yaml) throws IOException {
		return new YamlPropertySourceLoader().load(name, new ByteArrayResource(yaml.getBytes()));
	}

	private static Set<String> metadataNames() throws IOException {
		Set<String> names = new HashSet<>();
		try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
				names.add(property.path("name").asString());
			}
		}
		return names;
	}

	/** Every yaml block, named by its file and its number there. */
	private static Map<String, String> snippets() throws IOException {
		Path root = repositoryRoot();
		List<Path> files = new ArrayList<>();
		files.add(root.resolve("README.md"));
		try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(files::add);
		}
		Map<String, String> snippets = new LinkedHashMap<>();
		for (Path file : files) {
			Matcher block = YAML_BLOCK.matcher(Files.readString(file));
			int count = 0;
			while (block.find()) {
				snippets.put(root.relativize(file) + " #" + (++count), block.group(1));
			}
		}
		return snippets;
	}

	/** The tests run in the module's directory; the docs are the repository's. */
	private static Path repositoryRoot() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null
				&& !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
			dir = dir.getParent();
		}
		assertThat(dir).as("a directory with README.md and docs/ above the working directory").isNotNull();
		return dir;
	}

}
