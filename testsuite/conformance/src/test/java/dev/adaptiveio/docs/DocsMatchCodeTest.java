package dev.adaptiveio.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The names docs/*.md and README.md promise users must exist in the code: system properties
 * ({@code adaptiveio.*}), environment variables ({@code ADAPTIVEIO_*}), message ids, XNIO option
 * fields ({@code SomeOptions.NAME}) and class names in backticks. Each is looked up in the tree's
 * sources (every module's {@code src}, build files and scripts; not the docs), so a new valid
 * name needs no list here, and a renamed or removed one fails this test with the doc and the
 * token.
 */
class DocsMatchCodeTest {

    private static Path root;
    private static List<Path> docs;
    /** Every source text of the tree, concatenated (substring look-ups). */
    private static String code;
    /** Every identifier-like word of the sources (word look-ups). */
    private static Set<String> words;
    /** Message ids the message loggers declare, e.g. {@code ADAPTIVEIO0400}, {@code ADIOWF0011}. */
    private static Set<String> messageIds;
    private static Set<String> projectCodes;
    /** Every file of the checkout outside build output and dot-directories, as "/"-separated relative paths. */
    private static List<String> files;

    private static final Pattern WORD = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern PROPERTY = Pattern.compile("(?:(?<=-D)|(?<![\\w.\\-/]))adaptiveio\\.[A-Za-z_][\\w.]*\\w");
    private static final Pattern ENVIRONMENT = Pattern.compile("\\bADAPTIVEIO_[A-Z0-9_]*[A-Z0-9]\\b");
    private static final Pattern MESSAGE_ID = Pattern.compile("\\b([A-Z]{4,12})(\\d{3,5})\\b");
    private static final Pattern OPTION_FIELD = Pattern.compile("\\b((?:[A-Z][A-Za-z]*)?Options)\\.([A-Z][A-Z0-9_]+)\\b");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`\\n]+)`");
    /** A class-like name: CamelCase with at least two humps, optionally qualified. */
    private static final Pattern CLASS_NAME = Pattern.compile("^(?:[a-z][a-z0-9_]*\\.)*([A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*)(?:[.#(].*)?$");
    private static final Pattern PROJECT_CODE = Pattern.compile("projectCode\\s*=\\s*\"([A-Z]+)\"(?:\\s*,\\s*length\\s*=\\s*(\\d+))?");
    private static final Pattern ID = Pattern.compile("\\bid\\s*=\\s*(\\d+)");

    @BeforeAll
    static void readTree() throws IOException {
        root = findRoot();
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            docs = s.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toCollection(ArrayList::new));
        }
        docs.add(root.resolve("README.md"));
        StringBuilder all = new StringBuilder();
        messageIds = new HashSet<>();
        projectCodes = new HashSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace(File.separatorChar, '/'))
                    .filter(rel -> !rel.startsWith(".") && !rel.contains("/target/") && !rel.startsWith("target/") && !rel.contains("/."))
                    .collect(Collectors.toList());
        }
        {
            for (Path p : files.stream().map(root::resolve).filter(DocsMatchCodeTest::isCode).collect(Collectors.toList())) {
                String text = read(p);
                all.append(text).append('\n');
                Matcher m = PROJECT_CODE.matcher(text);
                if (m.find()) {
                    String project = m.group(1);
                    int length = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                    projectCodes.add(project);
                    Matcher id = ID.matcher(text);
                    while (id.find()) {
                        messageIds.add(project + pad(id.group(1), length));
                    }
                }
            }
        }
        code = all.toString();
        words = new HashSet<>();
        Matcher w = WORD.matcher(code);
        while (w.find()) {
            words.add(w.group());
        }
    }

    @Test
    void systemPropertiesExist() {
        assertNone("system property", missingProperties(docTexts()));
    }

    @Test
    void environmentVariablesExist() {
        assertNone("environment variable", missingEnvironmentVariables(docTexts()));
    }

    @Test
    void messageIdsExist() {
        assertTrue(projectCodes.contains("ADAPTIVEIO") && projectCodes.contains("ADIOWF"),
                "found the message loggers: " + projectCodes);
        assertNone("message id", missingMessageIds(docTexts()));
    }

    @Test
    void optionFieldsExist() {
        assertNone("XNIO option", missingOptionFields(docTexts()));
    }

    @Test
    void classNamesExist() throws IOException {
        assertNone("class name", missingClassNames(docTexts()));
    }

    /** The check can fail: each kind of stale name in a made-up doc is reported, valid ones are not. */
    @Test
    void reportsNamesTheCodeDoesNotHave() throws IOException {
        Map<String, String> doc = Map.of("made-up.md", String.join("\n",
                "Set `-Dadaptiveio.transplant=true` or `-Dadaptiveio.transplant.sweepMillis=5`, not `-Dadaptiveio.teleport=on`.",
                "Also `-Dadaptiveio.up_threshold=8` (an adaptive option); `ADAPTIVEIO_START=epoll`, not `ADAPTIVEIO_TELEPORT=1`.",
                "Logs ADAPTIVEIO0400 and ADIOWF0011, never ADAPTIVEIO0999 or ADIOWF0999; WFLYCTL0129 is WildFly's.",
                "Options `AdaptiveOptions.TRANSPLANT`, `Options.WORKER_IO_THREADS`, not `AdaptiveOptions.TELEPORT` or `Options.WORKER_TELEPORT`.",
                "Classes `NativeIoThread`, `UringIoThread`, `HttpOpenListener`, `dev.adaptiveio.transplant.Transplant`,",
                "but not `IoUringIoThread` or `dev.adaptiveio.transplant.Teleport`."));
        assertEquals(Set.of("made-up.md: adaptiveio.teleport"), missingProperties(doc));
        assertEquals(Set.of("made-up.md: ADAPTIVEIO_TELEPORT"), missingEnvironmentVariables(doc));
        assertEquals(Set.of("made-up.md: ADAPTIVEIO0999", "made-up.md: ADIOWF0999"), missingMessageIds(doc));
        assertEquals(Set.of("made-up.md: AdaptiveOptions.TELEPORT", "made-up.md: Options.WORKER_TELEPORT"), missingOptionFields(doc));
        assertEquals(Set.of("made-up.md: IoUringIoThread", "made-up.md: dev.adaptiveio.transplant.Teleport"), missingClassNames(doc));
    }

    // ---- the checks, over doc name -> text

    static Set<String> missingProperties(Map<String, String> docs) {
        return missing(docs, PROPERTY, token -> {
            if (mentions(token)) {
                return true;
            }
            // The adaptive options' properties are built from the option names: adaptiveio.<name in lower case>.
            String option = token.substring("adaptiveio.".length()).toUpperCase(Locale.ROOT);
            if (code.contains("\"" + option + "\"")) {
                return true;
            }
            // A prefix constant and a suffix: "adaptiveio.io_uring." + "sendPool".
            for (int dot = token.indexOf('.'); dot > 0; dot = token.indexOf('.', dot + 1)) {
                if (code.contains("\"" + token.substring(0, dot + 1) + "\"") && code.contains("\"" + token.substring(dot + 1) + "\"")) {
                    return true;
                }
            }
            return false;
        });
    }

    static Set<String> missingEnvironmentVariables(Map<String, String> docs) {
        return missing(docs, ENVIRONMENT, DocsMatchCodeTest::mentions);
    }

    static Set<String> missingMessageIds(Map<String, String> docs) {
        return missing(docs, MESSAGE_ID, token -> {
            Matcher m = MESSAGE_ID.matcher(token);
            // Ids of other projects (WildFly's WFLYCTL..., Undertow's UT...) are not ours to check.
            return !m.matches() || !projectCodes.contains(m.group(1)) || messageIds.contains(token);
        });
    }

    static Set<String> missingOptionFields(Map<String, String> docs) {
        return missing(docs, OPTION_FIELD, token -> {
            Matcher m = OPTION_FIELD.matcher(token);
            m.matches();
            String type = m.group(1);
            String field = m.group(2);
            List<Path> sources = findSources(type);
            if (!sources.isEmpty()) {
                // Two modules may each have a class of that name (the provider's and the subsystem's AdaptiveOptions).
                Pattern declares = Pattern.compile("\\b" + field + "\\s*=");
                return sources.stream().anyMatch(source -> declares.matcher(read(source)).find());
            }
            // Not ours (XNIO's Options, Undertow's UndertowOptions): ask the class on the class path.
            for (String pkg : new String[] {"org.xnio.", "io.undertow."}) {
                try {
                    Class.forName(pkg + type).getField(field);
                    return true;
                } catch (ClassNotFoundException e) {
                    // try the next package
                } catch (NoSuchFieldException e) {
                    return false;
                }
            }
            return words.contains(field);
        });
    }

    /**
     * Backticked class names: an unqualified CamelCase name must be a word of the sources, a class
     * on the test class path (XNIO, Undertow) or in the JDK, or an MXBean attribute (its getter);
     * a {@code dev.adaptiveio...} name must be one of our classes or packages or a name the build
     * uses (a JBoss module). Names qualified with another project's package, and Undertow's own
     * test classes ({@code *TestCase}, docs/undertow-suite.md), are not ours to check.
     */
    static Set<String> missingClassNames(Map<String, String> docs) throws IOException {
        Set<String> libraries = libraryClasses();
        assertTrue(libraries.contains("HttpOpenListener") && libraries.contains("XnioWorker") && libraries.contains("String"),
                "read the class path and the JDK");
        Set<String> missing = new TreeSet<>();
        docs.forEach((doc, text) -> {
            Matcher m = BACKTICKED.matcher(text);
            while (m.find()) {
                String inside = m.group(1).trim();
                if (inside.contains(" ") && !inside.contains("(")) {
                    continue; // a command or a phrase, not a name
                }
                if (inside.matches("dev\\.adaptiveio\\.[\\w.]*\\w")) {
                    if (!ourQualifiedNameExists(inside)) {
                        missing.add(doc + ": " + inside);
                    }
                    continue;
                }
                if (inside.matches("[a-z][a-z0-9_]*\\.[a-z][\\w.]*\\.[A-Z].*")) {
                    continue; // io.undertow..., org.xnio..., java...: another project's class
                }
                Matcher c = CLASS_NAME.matcher(inside);
                if (c.matches()) {
                    String name = c.group(1);
                    boolean known = words.contains(name) || libraries.contains(name)
                            || words.contains("get" + name) || words.contains("is" + name)
                            || name.endsWith("TestCase");
                    if (!known) {
                        missing.add(doc + ": " + name);
                    }
                }
            }
        });
        return missing;
    }

    /** Whether the sources have {@code token} as a whole name (not as part of a longer one, e.g. a package). */
    private static boolean mentions(String token) {
        for (int i = code.indexOf(token); i >= 0; i = code.indexOf(token, i + 1)) {
            int end = i + token.length();
            boolean startsName = i == 0 || !(isNameChar(code.charAt(i - 1)) || code.charAt(i - 1) == '.');
            boolean endsName = end == code.length() || !(isNameChar(code.charAt(end))
                    || code.charAt(end) == '.' && end + 1 < code.length() && isNameChar(code.charAt(end + 1)));
            if (startsName && endsName) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private interface Exists {
        boolean test(String token);
    }

    private static Set<String> missing(Map<String, String> docs, Pattern pattern, Exists exists) {
        Set<String> missing = new TreeSet<>();
        docs.forEach((doc, text) -> {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                if (!exists.test(m.group())) {
                    missing.add(doc + ": " + m.group());
                }
            }
        });
        return missing;
    }

    private static void assertNone(String what, Set<String> missing) {
        assertTrue(missing.isEmpty(), "documented " + what + "s the code does not have:\n  " + String.join("\n  ", missing));
    }

    /** docs/*.md and README.md, by their path in the checkout. */
    private static Map<String, String> docTexts() {
        Map<String, String> texts = new TreeMap<>();
        for (Path doc : docs) {
            texts.put(root.relativize(doc).toString(), read(doc));
        }
        return texts;
    }

    private static boolean isCode(Path p) {
        Path rel = root.relativize(p);
        String first = rel.getName(0).toString();
        if (first.startsWith(".") || first.equals("docs") || rel.toString().equals("README.md")
                || rel.toString().contains("dev/adaptiveio/docs/")) {
            return false; // the docs themselves, and this check (its patterns would match anything)
        }
        for (Path part : rel) {
            String n = part.toString();
            if (n.equals("target") || n.equals("node_modules")) {
                return false;
            }
        }
        String name = p.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".xml") || name.endsWith(".xsd") || name.endsWith(".sh")
                || name.endsWith(".py") || name.endsWith(".properties") || name.endsWith(".cli")
                || name.endsWith(".lua") || name.equals("run") || name.endsWith(".txt") && rel.toString().contains("src");
    }

    private static List<Path> findSources(String simpleName) {
        Pattern declares = Pattern.compile("\\b(?:class|interface|enum|record)\\s+" + simpleName + "\\b");
        return files.stream().filter(f -> f.endsWith("/" + simpleName + ".java")).map(root::resolve)
                .filter(p -> declares.matcher(read(p)).find())
                .collect(Collectors.toList());
    }

    /** A {@code dev.adaptiveio...} name: a class or package of ours, or a name the build uses (a JBoss module). */
    private static boolean ourQualifiedNameExists(String name) {
        String path = "/java/" + name.replace('.', '/');
        // a class file, or a package: a directory holding files
        if (files.stream().anyMatch(f -> f.endsWith(path + ".java") || f.contains(path + "/"))) {
            return true;
        }
        return mentions(name);
    }

    /** Simple names of the classes on the test class path (XNIO, Undertow, our jars) and in the JDK. */
    private static Set<String> libraryClasses;

    private static synchronized Set<String> libraryClasses() throws IOException {
        if (libraryClasses != null) {
            return libraryClasses;
        }
        Set<String> names = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Paths.get(entry))) {
                try (JarFile jar = new JarFile(entry)) {
                    jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(n -> names.add(simpleName(n)));
                }
            }
        }
        try (Stream<Path> s = Files.walk(FileSystems.getFileSystem(URI.create("jrt:/")).getPath("/modules"))) {
            s.map(Path::toString).filter(n -> n.endsWith(".class")).forEach(n -> names.add(simpleName(n)));
        }
        libraryClasses = names;
        return names;
    }

    private static String simpleName(String classFile) {
        String n = classFile.substring(classFile.lastIndexOf('/') + 1, classFile.length() - ".class".length());
        int inner = n.indexOf('$');
        return inner < 0 ? n : n.substring(0, inner);
    }

    private static String pad(String digits, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = digits.length(); i < length; i++) {
            b.append('0');
        }
        return b.append(digits).toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            try {
                return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            } catch (IOException again) {
                throw new UncheckedIOException(again);
            }
        }
    }

    /** The checkout's top: the first directory above the module's that has docs/ and README.md. */
    private static Path findRoot() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("docs")) && Files.isRegularFile(d.resolve("README.md"))
                    && Files.isDirectory(d.resolve("xnio-native-core"))) {
                return d;
            }
        }
        throw new IllegalStateException("no checkout with docs/ above " + dir);
    }
}
