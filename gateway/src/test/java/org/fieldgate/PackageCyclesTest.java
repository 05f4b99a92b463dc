package org.fieldgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the main code depends, through any chain, on itself. A dependency is what a reader sees in the
 * source: an import (static and wildcard ones too) or a fully qualified {@code org.fieldgate} name in code; comments
 * and string literals do not count. Read from the source, not the bytecode, because the compiler inlines constants
 * (the QC bits, the defaults) and would hide those edges.
 *
 * <p>Checked twice: per package, and per top-level package ({@code acquire} with all its subpackages as one), so that
 * {@code acquire.site -> live -> acquire.chamber} is a cycle too. On failure the message names each cycle, edge by
 * edge, with the classes that make each edge.
 */
class PackageCyclesTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final String ROOT = "org.fieldgate";
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** {@code org.fieldgate.a.b.Type} or {@code org.fieldgate.a.b.*}: the package is everything before the type. */
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.fieldgate((?:\\.[a-z_][\\w]*)*)\\.([A-Z]\\w*|\\*)");
    /** Comments, text blocks, string and char literals, in the order a lexer meets them. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'", Pattern.DOTALL);

    @Test
    void noPackageDependsOnItself() {
        String cycles = describeCycles(dependencies(mainSources(), UnaryOperator.identity()));
        assertTrue(cycles.isEmpty(), "package cycles in the main code:\n" + cycles);
    }

    @Test
    void noTopLevelPackageDependsOnItself() {
        String cycles = describeCycles(dependencies(mainSources(), PackageCyclesTest::topLevel));
        assertTrue(cycles.isEmpty(), "cycles between top-level packages (subpackages merged) in the main code:\n" + cycles);
    }

    /** The detector itself: a planted two-package cycle is found and named; comments and strings make no edge. */
    @Test
    void aPlantedCycleIsNamedWithItsClasses() {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("A.java", "package org.fieldgate.a;\nimport org.fieldgate.b.B;\nclass A { B b; }\n");
        sources.put("B.java", "package org.fieldgate.b;\nclass B { org.fieldgate.c.C c; }\n");
        sources.put("C.java", "package org.fieldgate.c;\n/** {@link org.fieldgate.b.B} */\nclass C {\n"
                + "  String s = \"org.fieldgate.b.B\"; // org.fieldgate.b.B\n  Object a = org.fieldgate.a.A.class;\n}\n");
        sources.put("D.java", "package org.fieldgate.d;\nimport org.fieldgate.a.*;\nclass D { }\n");
        String cycles = describeCycles(dependencies(sources, UnaryOperator.identity()));
        assertEquals("cycle a -> b -> c -> a\n"
                + "    a -> b: A->B\n"
                + "    b -> c: B->C\n"
                + "    c -> a: C->A\n", cycles);
        sources.put("C.java", "package org.fieldgate.c;\n/** {@link org.fieldgate.a.A} */\nclass C { String s = \"org.fieldgate.a.A\"; }\n");
        assertEquals("", describeCycles(dependencies(sources, UnaryOperator.identity())));
    }

    private static Map<String, String> mainSources() {
        assertTrue(Files.isDirectory(MAIN.resolve("org/fieldgate")), "run from the gateway module: no " + MAIN);
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.put(MAIN.relativize(f).toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(sources.size() > 100, "found only " + sources.size() + " main sources under " + MAIN);
        return sources;
    }

    /** {@code acquire.site} becomes {@code acquire}; the root package stays the root. */
    private static String topLevel(String pkg) {
        int dot = pkg.indexOf('.');
        return dot < 0 ? pkg : pkg.substring(0, dot);
    }

    /**
     * Package (relative to org.fieldgate, "" for the root) to the packages it uses, each with the class-to-class
     * references that make the edge, e.g. "Spool->LivePoints".
     */
    static Map<String, Map<String, Set<String>>> dependencies(Map<String, String> sources, UnaryOperator<String> slice) {
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Matcher pkg = PACKAGE.matcher(s.getValue());
            assertTrue(pkg.find(), s.getKey() + " has no package line");
            String from = slice.apply(relative(pkg.group(1)));
            String fromClass = Path.of(s.getKey()).getFileName().toString().replace(".java", "");
            Map<String, Set<String>> out = graph.computeIfAbsent(from, k -> new TreeMap<>());
            Matcher ref = REFERENCE.matcher(NOT_CODE.matcher(s.getValue()).replaceAll(" "));
            while (ref.find()) {
                String to = slice.apply(ref.group(1).isEmpty() ? "" : ref.group(1).substring(1));
                if (!to.equals(from)) {
                    out.computeIfAbsent(to, k -> new TreeSet<>()).add(fromClass + "->" + ref.group(2));
                }
            }
        }
        return graph;
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }

    /** Every strongly connected component of more than one package, as one shortest cycle through it with its edges. */
    static String describeCycles(Map<String, Map<String, Set<String>>> graph) {
        StringBuilder out = new StringBuilder();
        for (List<String> component : components(graph)) {
            List<String> cycle = shortestCycle(graph, component);
            out.append("cycle ").append(String.join(" -> ", cycle.stream().map(PackageCyclesTest::shown).toList()));
            if (component.size() > cycle.size() - 1) {
                out.append("   (all of ").append(component.stream().map(PackageCyclesTest::shown).toList())
                        .append(" depend on each other)");
            }
            out.append('\n');
            List<List<String>> shownEdges = new ArrayList<>();
            for (int i = 0; i + 1 < cycle.size(); i++) {
                shownEdges.add(List.of(cycle.get(i), cycle.get(i + 1)));
                edge(out, "    ", graph, cycle.get(i), cycle.get(i + 1));
            }
            for (String from : component) {
                for (String to : graph.get(from).keySet()) {
                    if (component.contains(to) && !shownEdges.contains(List.of(from, to))) {
                        edge(out, "    also ", graph, from, to);
                    }
                }
            }
        }
        return out.toString();
    }

    private static void edge(StringBuilder out, String indent, Map<String, Map<String, Set<String>>> graph, String from,
                             String to) {
        out.append(indent).append(shown(from)).append(" -> ").append(shown(to)).append(": ")
                .append(String.join(", ", graph.get(from).get(to))).append('\n');
    }

    private static String shown(String pkg) {
        return pkg.isEmpty() ? "(root)" : pkg;
    }

    /** Tarjan's strongly connected components, those with more than one package, members sorted. */
    private static List<List<String>> components(Map<String, Map<String, Set<String>>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> found = new ArrayList<>();
        for (String start : graph.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, graph, index, low, stack, onStack, found);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Map<String, Set<String>>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<List<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                found.add(component);
            }
        }
    }

    /** From the component's first package, the shortest path back to it inside the component (breadth first). */
    private static List<String> shortestCycle(Map<String, Map<String, Set<String>>> graph, List<String> component) {
        String start = component.get(0);
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : graph.getOrDefault(v, Map.of()).keySet()) {
                if (w.equals(start)) {
                    List<String> cycle = new ArrayList<>(List.of(start));
                    for (String at = v; !at.equals(start); at = cameFrom.get(at)) {
                        cycle.add(1, at);
                    }
                    cycle.add(start);
                    return cycle;
                }
                if (component.contains(w) && !cameFrom.containsKey(w)) {
                    cameFrom.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new IllegalStateException("no cycle back to " + start + " in its component " + component);
    }
}
