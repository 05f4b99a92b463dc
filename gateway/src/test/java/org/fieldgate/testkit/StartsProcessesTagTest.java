package org.fieldgate.testkit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the fast lane honest: {@code mvn test -Pfast} leaves out the test classes tagged {@link StartsProcesses},
 * so a test class that starts a process without the tag would make the fast lane slow, or fail on a box without
 * mosquitto, influxd or chromium. This reads the constant pool of every compiled test class (so an inline fully
 * qualified name or a lambda counts as much as an import) and follows the helpers each uses (a test →
 * {@link MosquittoProcess} → {@link ChildProcess} → {@link ProcessBuilder#start()}), and one step into the gateway's
 * own classes (a test that uses {@code SystemdNotifier} runs systemd-notify); a Jazzer {@code @FuzzTest} counts too
 * (Jazzer attaches its agent from a child JVM, and instruments every class the JVM loads after). Not followed:
 * another test class whose static helper a test borrows (its tests' processes do not start), and the gateway's
 * classes further down (a test of a class that owns a {@code SystemClockSyncSource} is judged by what it starts
 * itself).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartsProcessesTagTest {
    /** The JDK's ways to start a process, as {@code owner.method} in a class file's constant pool. */
    private static final Set<String> PROCESS_STARTS = Set.of(
            "java/lang/ProcessBuilder.start", "java/lang/ProcessBuilder.startPipeline", "java/lang/Runtime.exec");
    /** Libraries' classes that start one: Jazzer's {@code @FuzzTest} attaches its agent from a child JVM (ByteBuddy's attacher). */
    private static final Map<String, String> LIBRARY_PROCESS_STARTS = Map.of(
            "com/code_intelligence/jazzer/junit/FuzzTest", "Jazzer attaches its agent from a child JVM");
    private static final Pattern CLASS_NAME = Pattern.compile("(org/fieldgate|com/code_intelligence)/[A-Za-z0-9_/$]+");

    private final TestClasses classes = TestClasses.read(testClassesDir(), mainClassesDir());

    @Test
    void everyTestClassThatStartsAProcessIsTaggedStartsProcesses() {
        List<String> untagged = new ArrayList<>();
        classes.startingProcesses().forEach((name, path) -> {
            if (classes.testClasses().contains(name) && !tagged(load(name))) {
                untagged.add("  " + dotted(name) + " starts processes (" + path + ")");
            }
        });
        assertTrue(untagged.isEmpty(), "test classes that start processes without @StartsProcesses (org.fieldgate.testkit)"
                + " at their class, so the fast lane (mvn test -Pfast) would run them:\n" + String.join("\n", untagged));
    }

    @Test
    void everyClassTaggedStartsProcessesStartsOne() {
        // a stale tag hides a unit test from the fast lane
        List<String> stale = classes.topLevel().stream()
                .filter(name -> classes.testClasses().contains(name) && !classes.startingProcesses().containsKey(name)
                        && tagged(load(name)))
                .map(name -> "  " + dotted(name)).toList();
        assertTrue(stale.isEmpty(), "tagged @StartsProcesses but start no process (remove the tag):\n" + String.join("\n", stale));
    }

    @Test
    void theKitsProcessesAreFoundThroughTheClassesThatWrapThem() {
        // the scan itself, or the first test would pass on anything; names, not class literals, which would make
        // this class use the kit's processes
        Map<String, String> starting = classes.startingProcesses();
        for (String wrapper : List.of("ChildProcess", "MosquittoProcess", "InfluxdProcess", "GatewayProcess", "HeadlessChromium",
                "PrometheusProcess", "Pki", "Command", "TestkitSelfTest")) {
            assertTrue(starting.containsKey("org/fieldgate/testkit/" + wrapper), wrapper + " not found to start processes: " + starting);
        }
        assertEquals("org.fieldgate.testkit.MosquittoProcess -> org.fieldgate.testkit.ChildProcess -> java.lang.ProcessBuilder.start",
                starting.get("org/fieldgate/testkit/MosquittoProcess"));
        assertFalse(starting.containsKey("org/fieldgate/testkit/Poll"), "Poll starts nothing: " + starting.get("org/fieldgate/testkit/Poll"));
        // a unit test that borrows a static helper of an acceptance test does not start the latter's processes
        // (by simple name: other work moves test classes between packages)
        String spoolTest = find("SpoolTest");
        assertFalse(starting.containsKey(spoolTest), starting.get(spoolTest));
        String notifierTest = find("SystemdNotifierTest");
        assertEquals(dotted(notifierTest) + " -> org.fieldgate.deploy.SystemdNotifier -> java.lang.ProcessBuilder.start",
                starting.get(notifierTest));
        String fuzzTest = find("SenmlIngestFuzzTest");
        assertEquals(dotted(fuzzTest) + " -> com.code_intelligence.jazzer.junit.FuzzTest (Jazzer attaches its agent from a child JVM)",
                starting.get(fuzzTest));
    }

    private String find(String simpleName) {
        List<String> found = classes.topLevel().stream().filter(name -> name.endsWith("/" + simpleName)).toList();
        assertEquals(1, found.size(), "test classes named " + simpleName + ": " + found);
        return found.get(0);
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }

    private static boolean tagged(Class<?> type) {
        return AnnotationSupport.findRepeatableAnnotations(type, Tag.class).stream()
                .anyMatch(tag -> StartsProcesses.TAG.equals(tag.value()));
    }

    private static Class<?> load(String internalName) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, StartsProcessesTagTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("compiled test class " + internalName + " does not load", e);
        }
    }

    private static Path testClassesDir() {
        return codeSource(StartsProcessesTagTest.class);
    }

    private static Path mainClassesDir() {
        // by name: a class literal would count as this test using the gateway's class
        return codeSource(load("org/fieldgate/Application"));
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The compiled test classes by top-level class (a nested class or a lambda's body counts for its outer class):
     * those JUnit runs, and each that reaches a process start with one path to it
     * ({@code A -> B -> java.lang.ProcessBuilder.start}).
     */
    private record TestClasses(Set<String> topLevel, Set<String> testClasses, Map<String, String> startingProcesses) {

        static TestClasses read(Path testDir, Path mainDir) {
            Scan main = Scan.of(mainDir);
            Scan test = Scan.of(testDir);
            Set<String> topLevel = test.uses().keySet();
            Map<String, String> directStarts = new HashMap<>(test.directStarts());
            Map<String, Set<String>> uses = new HashMap<>();
            test.uses().forEach((top, used) -> {
                // one step into the gateway's classes: a test that uses SystemdNotifier runs systemd-notify
                used.stream().filter(main.directStarts()::containsKey).sorted().findFirst().ifPresent(starter ->
                        directStarts.putIfAbsent(top, dotted(starter) + " -> " + main.directStarts().get(starter)));
                uses.put(top, used.stream().filter(topLevel::contains).collect(Collectors.toSet()));
            });
            // JUnit runs it: it or a class nested in it declares a @Test, @ParameterizedTest, @FuzzTest, ...
            Set<String> testClasses = new HashSet<>();
            test.members().forEach((top, nested) -> {
                if (nested.stream().flatMap(member -> Arrays.stream(load(member).getDeclaredMethods()))
                        .anyMatch(method -> AnnotationSupport.isAnnotated(method, Testable.class))) {
                    testClasses.add(top);
                }
            });
            Map<String, String> paths = new TreeMap<>();
            for (String start : topLevel) {
                // breadth first, so the path shown is a shortest one
                Map<String, String> cameFrom = new HashMap<>();
                Deque<String> queue = new ArrayDeque<>(List.of(start));
                cameFrom.put(start, null);
                while (!queue.isEmpty()) {
                    String at = queue.poll();
                    if (directStarts.containsKey(at)) {
                        List<String> path = new ArrayList<>(List.of(directStarts.get(at)));
                        for (String step = at; step != null; step = cameFrom.get(step)) {
                            path.add(0, dotted(step));
                        }
                        paths.put(start, String.join(" -> ", path));
                        break;
                    }
                    for (String next : uses.get(at)) {
                        // another test class is a library here (a static helper): its tests' processes do not start
                        if (!cameFrom.containsKey(next) && !testClasses.contains(next)) {
                            cameFrom.put(next, at);
                            queue.add(next);
                        }
                    }
                }
            }
            return new TestClasses(topLevel, testClasses, paths);
        }
    }

    /** Per top-level class under a directory: its class files, the classes of ours it names, the process start it calls itself. */
    private record Scan(Map<String, Set<String>> members, Map<String, Set<String>> uses, Map<String, String> directStarts) {

        static Scan of(Path dir) {
            Map<String, Set<String>> members = new TreeMap<>();
            Map<String, Set<String>> uses = new TreeMap<>();
            Map<String, String> directStarts = new HashMap<>();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = dir.relativize(file).toString().replace('\\', '/').replaceAll("\\.class$", "");
                    String top = topLevel(name);
                    members.computeIfAbsent(top, k -> new TreeSet<>()).add(name);
                    ConstantPool pool;
                    try (InputStream in = Files.newInputStream(file)) {
                        pool = ConstantPool.read(new DataInputStream(in), file);
                    }
                    Set<String> used = uses.computeIfAbsent(top, k -> new HashSet<>());
                    pool.classNames().forEach(c -> used.add(topLevel(c)));
                    pool.methodRefs().stream().filter(PROCESS_STARTS::contains).sorted().findFirst()
                            .ifPresent(m -> directStarts.putIfAbsent(top, dotted(m)));
                    pool.classNames().stream().filter(LIBRARY_PROCESS_STARTS::containsKey).sorted().findFirst().ifPresent(c ->
                            directStarts.putIfAbsent(top, dotted(c) + " (" + LIBRARY_PROCESS_STARTS.get(c) + ")"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the classes under " + dir, e);
            }
            return new Scan(members, uses, directStarts);
        }

        private static String topLevel(String internalName) {
            int dollar = internalName.indexOf('$');
            return dollar < 0 ? internalName : internalName.substring(0, dollar);
        }
    }

    /** The parts of a class file's constant pool (JVMS 4.4) this needs: the classes named (ours, Jazzer's), the methods called. */
    private record ConstantPool(Set<String> classNames, Set<String> methodRefs) {

        static ConstantPool read(DataInputStream in, Path file) throws IOException {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(file + ": not a class file");
            }
            in.readUnsignedShort(); // minor version
            in.readUnsignedShort(); // major version
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNameIndex = new int[count];
            int[] stringIndex = new int[count];
            int[][] memberRefs = new int[count][]; // {class index, name-and-type index}
            int[] nameOfNameAndType = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNameIndex[i] = in.readUnsignedShort();
                    case 8 -> stringIndex[i] = in.readUnsignedShort();
                    case 16, 19, 20 -> in.readUnsignedShort();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++; // a long or double takes two entries
                    }
                    case 9, 10, 11 -> memberRefs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                    case 12 -> {
                        nameOfNameAndType[i] = in.readUnsignedShort();
                        in.readUnsignedShort();
                    }
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 17, 18 -> in.readInt();
                    default -> throw new IOException(file + ": unknown constant pool tag " + tag + " at entry " + i);
                }
            }
            // class entries, descriptors and generic signatures all name classes in some UTF-8 entry; a string
            // literal's does not (unless a class entry shares it)
            boolean[] literal = new boolean[count];
            for (int i = 1; i < count; i++) {
                literal[stringIndex[i]] = stringIndex[i] != 0;
            }
            for (int i = 1; i < count; i++) {
                literal[classNameIndex[i]] = false;
            }
            Set<String> classNames = new HashSet<>();
            for (int i = 1; i < count; i++) {
                String text = utf8[i];
                if (text != null && !literal[i]) {
                    Matcher m = CLASS_NAME.matcher(text);
                    while (m.find()) {
                        classNames.add(m.group());
                    }
                }
            }
            Set<String> methodRefs = new HashSet<>();
            for (int[] ref : memberRefs) {
                if (ref != null) {
                    methodRefs.add(utf8[classNameIndex[ref[0]]] + "." + utf8[nameOfNameAndType[ref[1]]]);
                }
            }
            return new ConstantPool(classNames, methodRefs);
        }
    }
}
