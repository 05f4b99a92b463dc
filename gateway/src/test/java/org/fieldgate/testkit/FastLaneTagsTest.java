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
import java.util.EnumMap;
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
 * Keeps the fast lane honest: {@code mvn test -Pfast} leaves out the test classes tagged {@link StartsProcesses} or
 * {@link StartsApplication}, so a test class that starts a process or the whole gateway without its tag would make
 * the fast lane slow, or fail on a box without mosquitto, influxd or chromium. This reads the constant pool of every
 * compiled test class (so an inline fully qualified name or a lambda counts as much as an import) and follows the
 * helpers each uses (a test → {@link MosquittoProcess} → {@link ChildProcess} → {@link ProcessBuilder#start()}), and
 * one step into the gateway's own classes (a test that uses {@code SystemdNotifier} runs systemd-notify). A Jazzer
 * {@code @FuzzTest} starts a process too (Jazzer attaches its agent from a child JVM, and instruments every class the
 * JVM loads after); Micronaut's {@code EmbeddedServer}, {@code Micronaut.run} or {@code @MicronautTest} start the
 * application. Not followed: another test class whose static helper a test borrows (its tests' processes do not
 * start), and the gateway's classes further down (a test of a class that owns a {@code SystemClockSyncSource} is
 * judged by what it starts itself).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FastLaneTagsTest {
    /** What takes a test class out of the fast lane, and the annotation that must say so. */
    private enum Start {
        PROCESS("starts processes", "@StartsProcesses", StartsProcesses.TAG),
        APPLICATION("starts the application", "@StartsApplication", StartsApplication.TAG);

        final String what;
        final String annotation;
        final String tag;

        Start(String what, String annotation, String tag) {
            this.what = what;
            this.annotation = annotation;
            this.tag = tag;
        }
    }

    /** A way to start something, found in a class file: what it starts and why it counts. */
    private record Starter(Start start, String why) {
    }

    /** The JDK's ways to start a process, as {@code owner.method} in a class file's constant pool. */
    private static final Set<String> PROCESS_STARTS = Set.of(
            "java/lang/ProcessBuilder.start", "java/lang/ProcessBuilder.startPipeline", "java/lang/Runtime.exec");
    /** Libraries' classes that start something when a test names them. */
    private static final Map<String, Starter> LIBRARY_STARTS = Map.of(
            "com/code_intelligence/jazzer/junit/FuzzTest", new Starter(Start.PROCESS, "Jazzer attaches its agent from a child JVM"),
            "io/micronaut/runtime/server/EmbeddedServer", new Starter(Start.APPLICATION, "the gateway with its HTTP server"),
            "io/micronaut/runtime/Micronaut", new Starter(Start.APPLICATION, "Micronaut.run"),
            "io/micronaut/test/extensions/junit5/annotation/MicronautTest", new Starter(Start.APPLICATION, "the test's application context"));
    private static final Pattern CLASS_NAME = Pattern.compile("(org/fieldgate|com/code_intelligence|io/micronaut)/[A-Za-z0-9_/$]+");

    private final TestClasses classes = TestClasses.read(testClassesDir(), mainClassesDir());

    @Test
    void everyTestClassThatStartsAProcessOrTheApplicationIsTagged() {
        List<String> untagged = new ArrayList<>();
        for (Start start : Start.values()) {
            classes.paths(start).forEach((name, path) -> {
                if (classes.testClasses().contains(name) && !tagged(load(name), start)) {
                    untagged.add("  " + dotted(name) + " " + start.what + " (" + path + "): add " + start.annotation);
                }
            });
        }
        assertTrue(untagged.isEmpty(), "test classes the fast lane (mvn test -Pfast) would run though they start a process or"
                + " the application; tag them at their class (annotations in org.fieldgate.testkit):\n" + String.join("\n", untagged));
    }

    @Test
    void everyTaggedClassStartsWhatItsTagSays() {
        // a stale tag hides a unit test from the fast lane
        List<String> stale = new ArrayList<>();
        for (Start start : Start.values()) {
            classes.topLevel().stream()
                    .filter(name -> classes.testClasses().contains(name) && !classes.paths(start).containsKey(name)
                            && tagged(load(name), start))
                    .forEach(name -> stale.add("  " + dotted(name) + " is tagged " + start.annotation + " but never " + start.what));
        }
        assertTrue(stale.isEmpty(), "stale tags (remove them):\n" + String.join("\n", stale));
    }

    @Test
    void theScanFindsWhatTheKitAndTheLibrariesStart() {
        // the scan itself, or the first test would pass on anything; names, not class literals, which would make
        // this class use the kit's processes
        Map<String, String> processes = classes.paths(Start.PROCESS);
        for (String wrapper : List.of("ChildProcess", "MosquittoProcess", "InfluxdProcess", "GatewayProcess", "HeadlessChromium",
                "PrometheusProcess", "Pki", "Command", "TestkitSelfTest")) {
            assertTrue(processes.containsKey("org/fieldgate/testkit/" + wrapper), wrapper + " not found to start processes: " + processes);
        }
        assertEquals("org.fieldgate.testkit.MosquittoProcess -> org.fieldgate.testkit.ChildProcess -> java.lang.ProcessBuilder.start",
                processes.get("org/fieldgate/testkit/MosquittoProcess"));
        assertFalse(processes.containsKey("org/fieldgate/testkit/Poll"), "Poll starts nothing: " + processes.get("org/fieldgate/testkit/Poll"));
        // a unit test that borrows a static helper of an acceptance test does not start the latter's processes
        // (by simple name: other work moves test classes between packages)
        String spoolTest = find("SpoolTest");
        assertFalse(processes.containsKey(spoolTest), processes.get(spoolTest));
        String notifierTest = find("SystemdNotifierTest");
        assertEquals(dotted(notifierTest) + " -> org.fieldgate.deploy.SystemdNotifier -> java.lang.ProcessBuilder.start",
                processes.get(notifierTest));
        String fuzzTest = find("SenmlIngestFuzzTest");
        assertEquals(dotted(fuzzTest) + " -> com.code_intelligence.jazzer.junit.FuzzTest (Jazzer attaches its agent from a child JVM)",
                processes.get(fuzzTest));
        String apiTokenTest = find("ApiTokenTest");
        assertEquals(dotted(apiTokenTest) + " -> io.micronaut.runtime.server.EmbeddedServer (the gateway with its HTTP server)",
                classes.paths(Start.APPLICATION).get(apiTokenTest));
        // an application context without the server (settings checked at start-up) is a unit test
        String settingsTest = find("SettingsFactoryTest");
        assertFalse(classes.paths(Start.APPLICATION).containsKey(settingsTest), classes.paths(Start.APPLICATION).get(settingsTest));
    }

    private String find(String simpleName) {
        List<String> found = classes.topLevel().stream().filter(name -> name.endsWith("/" + simpleName)).toList();
        assertEquals(1, found.size(), "test classes named " + simpleName + ": " + found);
        return found.get(0);
    }

    private static boolean tagged(Class<?> type, Start start) {
        return AnnotationSupport.findRepeatableAnnotations(type, Tag.class).stream().anyMatch(tag -> start.tag.equals(tag.value()));
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }

    private static Class<?> load(String internalName) {
        try {
            return Class.forName(dotted(internalName), false, FastLaneTagsTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("compiled test class " + internalName + " does not load", e);
        }
    }

    private static Path testClassesDir() {
        return codeSource(FastLaneTagsTest.class);
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
     * those JUnit runs, and for each kind of start, each class that reaches one with one path to it
     * ({@code A -> B -> java.lang.ProcessBuilder.start}).
     */
    private record TestClasses(Set<String> topLevel, Set<String> testClasses, Map<Start, Map<String, String>> paths) {

        Map<String, String> paths(Start start) {
            return paths.get(start);
        }

        static TestClasses read(Path testDir, Path mainDir) {
            Scan main = Scan.of(mainDir);
            Scan test = Scan.of(testDir);
            Set<String> topLevel = test.uses().keySet();
            Map<String, Set<String>> uses = new HashMap<>();
            test.uses().forEach((top, used) -> uses.put(top, used.stream().filter(topLevel::contains).collect(Collectors.toSet())));
            // JUnit runs it: it or a class nested in it declares a @Test, @ParameterizedTest, @FuzzTest, ...
            Set<String> testClasses = new HashSet<>();
            test.members().forEach((top, nested) -> {
                if (nested.stream().flatMap(member -> Arrays.stream(load(member).getDeclaredMethods()))
                        .anyMatch(method -> AnnotationSupport.isAnnotated(method, Testable.class))) {
                    testClasses.add(top);
                }
            });
            Map<Start, Map<String, String>> paths = new EnumMap<>(Start.class);
            for (Start start : Start.values()) {
                Map<String, String> direct = new HashMap<>(test.direct().get(start));
                if (start == Start.PROCESS) {
                    // one step into the gateway's classes: a test that uses SystemdNotifier runs systemd-notify
                    Map<String, String> gateways = main.direct().get(start);
                    test.uses().forEach((top, used) -> used.stream().filter(gateways::containsKey).sorted().findFirst()
                            .ifPresent(c -> direct.putIfAbsent(top, dotted(c) + " -> " + gateways.get(c))));
                }
                paths.put(start, shortestPaths(topLevel, uses, testClasses, direct));
            }
            return new TestClasses(topLevel, testClasses, paths);
        }

        private static Map<String, String> shortestPaths(Set<String> topLevel, Map<String, Set<String>> uses,
                                                         Set<String> testClasses, Map<String, String> direct) {
            Map<String, String> paths = new TreeMap<>();
            for (String from : topLevel) {
                // breadth first, so the path shown is a shortest one
                Map<String, String> cameFrom = new HashMap<>();
                Deque<String> queue = new ArrayDeque<>(List.of(from));
                cameFrom.put(from, null);
                while (!queue.isEmpty()) {
                    String at = queue.poll();
                    if (direct.containsKey(at)) {
                        List<String> path = new ArrayList<>(List.of(direct.get(at)));
                        for (String step = at; step != null; step = cameFrom.get(step)) {
                            path.add(0, dotted(step));
                        }
                        paths.put(from, String.join(" -> ", path));
                        break;
                    }
                    for (String next : uses.get(at)) {
                        // another test class is a library here (a static helper): what its tests start does not start
                        if (!cameFrom.containsKey(next) && !testClasses.contains(next)) {
                            cameFrom.put(next, at);
                            queue.add(next);
                        }
                    }
                }
            }
            return paths;
        }
    }

    /**
     * Per top-level class under a directory: its class files, the classes it names, and for each kind of start the
     * one it makes itself, if any.
     */
    private record Scan(Map<String, Set<String>> members, Map<String, Set<String>> uses, Map<Start, Map<String, String>> direct) {

        static Scan of(Path dir) {
            Map<String, Set<String>> members = new TreeMap<>();
            Map<String, Set<String>> uses = new TreeMap<>();
            Map<Start, Map<String, String>> direct = new EnumMap<>(Start.class);
            for (Start start : Start.values()) {
                direct.put(start, new HashMap<>());
            }
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
                            .ifPresent(m -> direct.get(Start.PROCESS).putIfAbsent(top, dotted(m)));
                    pool.classNames().stream().filter(LIBRARY_STARTS::containsKey).sorted().forEach(c -> {
                        Starter starter = LIBRARY_STARTS.get(c);
                        direct.get(starter.start()).putIfAbsent(top, dotted(c) + " (" + starter.why() + ")");
                    });
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the classes under " + dir, e);
            }
            return new Scan(members, uses, direct);
        }

        /** {@code a/B$C} and Micronaut's generated {@code a/$B$Definition} count for {@code a/B}. */
        private static String topLevel(String internalName) {
            int slash = internalName.lastIndexOf('/');
            String simple = internalName.substring(slash + 1).replaceFirst("^\\$+", "");
            int dollar = simple.indexOf('$');
            return internalName.substring(0, slash + 1) + (dollar < 0 ? simple : simple.substring(0, dollar));
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
