package io.zephcast.rabbit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape of the library, read from its compiled classes: {@code io.zephcast.rabbit} is
 * the API, {@code io.zephcast.rabbit.internal} the machinery behind it, and the arrows
 * between classes point one way. Each rule prints what breaks it.
 */
class ArchitectureTests {

	private static final String API = "io.zephcast.rabbit";

	private static final String INTERNAL = "io.zephcast.rabbit.internal";

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages(API);

	@Test
	void theApiNamesNoInternalTypeInItsSignatures() {
		List<String> violations = new ArrayList<>();
		for (JavaClass type : CLASSES) {
			if (!type.getPackageName().equals(API) || !isVisible(type)) {
				continue;
			}
			type.getRawSuperclass()
				.ifPresent((superclass) -> check(violations, type, "extends", superclass.getAllInvolvedRawTypes()));
			type.getInterfaces()
				.forEach((iface) -> check(violations, type, "implements", iface.getAllInvolvedRawTypes()));
			type.getTypeParameters()
				.forEach((parameter) -> check(violations, type, "type parameter", parameter.getAllInvolvedRawTypes()));
			type.getFields()
				.stream()
				.filter((field) -> isVisible(field.getModifiers()))
				.forEach((field) -> check(violations, type, "field " + field.getName(),
						field.getType().getAllInvolvedRawTypes()));
			type.getCodeUnits().stream().filter((member) -> isVisible(member.getModifiers())).forEach((member) -> {
				String where = member.getName() + "(...)";
				check(violations, type, where + " returns", member.getReturnType().getAllInvolvedRawTypes());
				member.getParameters()
					.forEach((parameter) -> check(violations, type, where + " takes",
							parameter.getType().getAllInvolvedRawTypes()));
				member.getTypeParameters()
					.forEach((parameter) -> check(violations, type, where + " type parameter",
							parameter.getAllInvolvedRawTypes()));
				member.getExceptionTypes()
					.forEach((exception) -> check(violations, type, where + " throws", Set.of(exception)));
			});
		}
		assertThat(violations).as("public API signatures naming internal types").isEmpty();
	}

	/** The facade: what delegates to the machinery, so the machinery must not use it. */
	private static final Set<String> FACADE = Set.of(API + ".RabbitClient", API + ".RabbitConnectionFactories");

	@Test
	void internalCodeNeverReachesUpIntoTheFacade() {
		List<String> violations = new ArrayList<>();
		for (JavaClass type : CLASSES) {
			if (!type.getPackageName().startsWith(INTERNAL)) {
				continue;
			}
			for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
				String target = topLevelName(dependency.getTargetClass());
				if (FACADE.contains(target)) {
					violations.add(dependency.getDescription());
				}
			}
		}
		assertThat(violations).as("internal classes depending on the facade").isEmpty();
	}

	@Test
	void noCyclesBetweenClasses() {
		Map<String, Set<String>> graph = classGraph();
		List<List<String>> cycles = new ArrayList<>();
		for (Set<String> component : stronglyConnectedComponents(graph)) {
			if (component.size() > 1) {
				List<String> cycle = shortestCycle(graph, component);
				System.out.println("cycle: " + String.join(" -> ", cycle) + " (one of the cycles among "
						+ component.stream().map(ArchitectureTests::simpleName).toList() + ")");
				cycles.add(cycle);
			}
		}
		assertThat(cycles.stream().map((cycle) -> String.join(" -> ", cycle)))
			.as("cycles between top-level classes (nested classes folded into theirs)")
			.isEmpty();
	}

	/**
	 * A public constructor with positional arguments breaks every caller when a setting
	 * is added, so the configuration types are made by builders and named factories.
	 * Allowed: exceptions (thrown with their constructors), the records nested in
	 * {@link RabbitClientStatus} (reports the client fills and applications only read)
	 * and {@code new RabbitClient(streamName, config)}, whose settings grow in
	 * {@link RabbitConfig}.
	 */
	@Test
	void apiTypesHaveNoPublicConstructorWithPositionalArguments() {
		List<String> violations = new ArrayList<>();
		for (JavaClass type : CLASSES) {
			if (!type.getPackageName().equals(API) || !isVisible(type) || type.isAssignableTo(Throwable.class)
					|| type.getEnclosingClass()
						.map((outer) -> outer.isEquivalentTo(RabbitClientStatus.class))
						.orElse(false)) {
				continue;
			}
			type.getConstructors()
				.stream()
				.filter((constructor) -> isVisible(constructor.getModifiers()))
				.filter((constructor) -> constructor.getRawParameterTypes().size() > 1)
				.map((constructor) -> constructor.getFullName())
				.filter((constructor) -> !constructor.equals(RabbitClient.class.getName() + ".<init>("
						+ String.class.getName() + ", " + RabbitConfig.class.getName() + ")"))
				.forEach(violations::add);
		}
		assertThat(violations).as("public constructors with positional arguments in the API").isEmpty();
	}

	@Test
	void everyPackageIsNullMarked() {
		Set<String> packages = CLASSES.stream()
			.map(JavaClass::getPackageName)
			.collect(Collectors.toCollection(TreeSet::new));
		assertThat(packages).contains(API, INTERNAL);
		List<String> unmarked = packages.stream().filter((name) -> {
			try {
				Class<?> info = Class.forName(name + ".package-info");
				return !info.isAnnotationPresent(org.jspecify.annotations.NullMarked.class);
			}
			catch (ClassNotFoundException ex) {
				return true;
			}
		}).toList();
		assertThat(unmarked).as("packages without a @NullMarked package-info").isEmpty();
	}

	private static boolean isVisible(JavaClass type) {
		return isVisible(type.getModifiers())
				&& type.getEnclosingClass().map(ArchitectureTests::isVisible).orElse(true);
	}

	private static boolean isVisible(Set<JavaModifier> modifiers) {
		return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
	}

	private static void check(List<String> violations, JavaClass type, String where, Set<JavaClass> named) {
		named.stream()
			.filter((named1) -> named1.getPackageName().startsWith(INTERNAL))
			.forEach((internal) -> violations.add(type.getName() + " " + where + " " + internal.getName()));
	}

	/** Top-level classes of the library and the library classes each depends on. */
	private static Map<String, Set<String>> classGraph() {
		Map<String, Set<String>> graph = new LinkedHashMap<>();
		for (JavaClass type : CLASSES) {
			String from = topLevelName(type);
			Set<String> targets = graph.computeIfAbsent(from, (key) -> new TreeSet<>());
			for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
				JavaClass target = dependency.getTargetClass();
				if (target.getPackageName().startsWith(API)) {
					String to = topLevelName(target);
					if (!to.equals(from)) {
						targets.add(to);
					}
				}
			}
		}
		return graph;
	}

	private static String topLevelName(JavaClass type) {
		String name = type.getBaseComponentType().getName();
		int nested = name.indexOf('$');
		return (nested < 0) ? name : name.substring(0, nested);
	}

	/** Tarjan's algorithm, iterative enough for a few hundred classes. */
	private static List<Set<String>> stronglyConnectedComponents(Map<String, Set<String>> graph) {
		Map<String, Integer> index = new HashMap<>();
		Map<String, Integer> low = new HashMap<>();
		Deque<String> stack = new ArrayDeque<>();
		Set<String> onStack = new LinkedHashSet<>();
		List<Set<String>> components = new ArrayList<>();
		int[] counter = { 0 };
		for (String node : graph.keySet()) {
			if (!index.containsKey(node)) {
				strongConnect(node, graph, index, low, stack, onStack, components, counter);
			}
		}
		return components;
	}

	private static void strongConnect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
			Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> components,
			int[] counter) {
		index.put(node, counter[0]);
		low.put(node, counter[0]);
		counter[0]++;
		stack.push(node);
		onStack.add(node);
		for (String next : graph.getOrDefault(node, Set.of())) {
			if (!index.containsKey(next)) {
				strongConnect(next, graph, index, low, stack, onStack, components, counter);
				low.put(node, Math.min(low.get(node), low.get(next)));
			}
			else if (onStack.contains(next)) {
				low.put(node, Math.min(low.get(node), index.get(next)));
			}
		}
		if (low.get(node).equals(index.get(node))) {
			Set<String> component = new TreeSet<>();
			String member;
			do {
				member = stack.pop();
				onStack.remove(member);
				component.add(member);
			}
			while (!member.equals(node));
			components.add(component);
		}
	}

	/**
	 * The shortest cycle through the first class of a component, by breadth-first search.
	 */
	private static List<String> shortestCycle(Map<String, Set<String>> graph, Set<String> component) {
		String start = component.iterator().next();
		Map<String, String> cameFrom = new HashMap<>();
		Deque<String> queue = new ArrayDeque<>(List.of(start));
		while (!queue.isEmpty()) {
			String node = queue.poll();
			for (String next : graph.getOrDefault(node, Set.of())) {
				if (!component.contains(next)) {
					continue;
				}
				if (next.equals(start)) {
					List<String> cycle = new ArrayList<>();
					for (String at = node; at != null; at = cameFrom.get(at)) {
						cycle.add(0, simpleName(at));
					}
					cycle.add(simpleName(start));
					return cycle;
				}
				if (!cameFrom.containsKey(next) && !next.equals(start)) {
					cameFrom.put(next, node);
					queue.add(next);
				}
			}
		}
		return List.copyOf(component);
	}

	private static String simpleName(String name) {
		return name.substring(API.length() + 1);
	}

}
