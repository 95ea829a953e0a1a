package io.zephcast.rabbit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client stands on its own: nothing in {@code io.zephcast.rabbit} (internal included)
 * may know the auto-configuration or Spring Boot. Arrows point one way.
 */
class PackageDependencyTests {

	@Test
	void theClientPackageImportsNeitherTheAutoConfigurationNorSpringBoot() throws IOException {
		Path sources = Path.of("src/main/java/io/zephcast/rabbit");
		List<String> offending;
		try (Stream<Path> files = Files.walk(sources)) {
			offending = files.filter((file) -> file.toString().endsWith(".java")).flatMap((file) -> {
				try {
					return Files.readAllLines(file)
						.stream()
						.filter((line) -> line.startsWith("import ") && (line.contains("io.zephcast.autoconfigure")
								|| line.contains("org.springframework.boot")))
						.map((line) -> file.getFileName() + ": " + line);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).toList();
		}
		assertThat(sources).isDirectory();
		assertThat(offending).isEmpty();
	}

}
