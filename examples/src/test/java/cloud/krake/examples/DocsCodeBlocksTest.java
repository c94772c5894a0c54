package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's rule "every code block in the docs is either compiled in {@code examples} or checked by
 * a test", enforced on {@code README.md}, {@code ARCHITECTURE.md} and {@code docs/*.md}: the line
 * before every fenced block is exactly one marker,
 *
 * <ul>
 *   <li>{@code <!-- snippet: <repo-relative path>#<tag> -->}: the block equals the lines between
 *       {@code tag::<tag>[]} and {@code end::<tag>[]} in that file (marker lines excluded, common
 *       indentation and blank edge lines removed); the file is Java under a module's {@code
 *       src/main/java} or {@code src/test/java} (compiled), or a file a test source names (executed
 *       or read by that test);
 *   <li>{@code <!-- checked-by: <fully.qualified.TestClass>#<method> -->}: the test source exists
 *       and declares the method.
 * </ul>
 *
 * <p>Relative Markdown links between the pages must name existing files and, with {@code #anchor},
 * existing headings. The repository root is the examples module's parent directory.
 */
class DocsCodeBlocksTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern FENCE = Pattern.compile("^(\\s*)(`{3,}|~{3,})(.*)$");
  private static final Pattern SNIPPET =
      Pattern.compile("^<!-- snippet: ([^#\\s]+)#([\\w.-]+) -->$");
  private static final Pattern CHECKED_BY =
      Pattern.compile("^<!-- checked-by: ([\\w.]+)#(\\w+) -->$");
  private static final Pattern LINK = Pattern.compile("(?<!!)\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
  private static final int DIFF_LINES = 6;

  @Test
  void everyCodeBlockInTheDocsIsCompiledOrChecked() {
    List<String> problems = new ArrayList<>();
    List<Path> pages = pages(ROOT);

    int blocks = 0;
    for (Path page : pages) {
      blocks += checkBlocks(ROOT, page, problems);
    }

    assertThat(pages).as("pages found under " + ROOT).hasSizeGreaterThan(5);
    assertThat(blocks).as("code blocks found").isPositive();
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  @Test
  void everyRelativeLinkBetweenPagesResolves() {
    List<String> problems = new ArrayList<>();

    for (Path page : pages(ROOT)) {
      checkLinks(ROOT, page, problems);
    }

    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  // ------------------------------------------------------------------ the checker's own tests

  @Test
  void reportsABlockWithoutMarkerByPageAndLine(@TempDir Path root) throws IOException {
    Path page = write(root, "docs/page.md", "# Page\n\ntext\n```sh\nls\n```\n");

    List<String> problems = new ArrayList<>();
    checkBlocks(root, page, problems);

    assertThat(problems).singleElement().asString().contains("docs/page.md:4").contains("marker");
  }

  @Test
  void acceptsASnippetEqualToItsTaggedRegionWithoutIndentation(@TempDir Path root)
      throws IOException {
    write(
        root,
        "m/src/test/java/x/A.java",
        "class A {\n  void a() {\n    // tag::call[]\n    call(1);\n    // end::call[]\n  }\n}\n");
    Path page =
        write(
            root,
            "docs/page.md",
            "<!-- snippet: m/src/test/java/x/A.java#call -->\n```java\ncall(1);\n```\n");

    List<String> problems = new ArrayList<>();
    checkBlocks(root, page, problems);

    assertThat(problems).isEmpty();
  }

  @Test
  void reportsASnippetThatDiffersWithADiff(@TempDir Path root) throws IOException {
    write(root, "m/src/main/java/x/A.java", "// tag::call[]\ncall(1);\n// end::call[]\n");
    Path page =
        write(
            root,
            "docs/page.md",
            "<!-- snippet: m/src/main/java/x/A.java#call -->\n```java\ncall(2);\n```\n");

    List<String> problems = new ArrayList<>();
    checkBlocks(root, page, problems);

    assertThat(problems)
        .singleElement()
        .asString()
        .contains("docs/page.md:2")
        .contains("- call(1);")
        .contains("+ call(2);");
  }

  @Test
  void reportsAnUnknownTagAndAnUncheckedFile(@TempDir Path root) throws IOException {
    write(root, "m/src/test/java/x/A.java", "// tag::a[]\na\n// end::a[]\n");
    write(root, "notes/b.sh", "# tag::b[]\nb\n# end::b[]\n");
    Path page =
        write(
            root,
            "docs/page.md",
            "<!-- snippet: m/src/test/java/x/A.java#nope -->\n```\na\n```\n"
                + "<!-- snippet: notes/b.sh#b -->\n```\nb\n```\n");

    List<String> problems = new ArrayList<>();
    checkBlocks(root, page, problems);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).contains("no tag::nope[]");
    assertThat(problems.get(1)).contains("neither compiled");
  }

  @Test
  void reportsACheckedByTestWithoutTheMethod(@TempDir Path root) throws IOException {
    write(root, "m/src/test/java/x/BTest.java", "class BTest { void checksIt() {} }\n");
    Path page =
        write(
            root,
            "docs/page.md",
            "<!-- checked-by: x.BTest#checksIt -->\n```\nok\n```\n"
                + "<!-- checked-by: x.BTest#other -->\n```\nnot ok\n```\n");

    List<String> problems = new ArrayList<>();
    checkBlocks(root, page, problems);

    assertThat(problems).singleElement().asString().contains("docs/page.md:6").contains("other");
  }

  @Test
  void reportsALinkToAMissingPageOrHeading(@TempDir Path root) throws IOException {
    write(root, "docs/other.md", "# Other\n\n## The `Store` SPI (core)\n");
    Path page =
        write(
            root,
            "docs/page.md",
            "[a](other.md#the-store-spi-core) [b](other.md#nope) [c](missing.md)"
                + " [d](https://example.com/x.md) `[e](f.md)`\n");

    List<String> problems = new ArrayList<>();
    checkLinks(root, page, problems);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).contains("other.md#nope");
    assertThat(problems.get(1)).contains("missing.md");
  }

  // ------------------------------------------------------------------ the checker

  /** README.md, ARCHITECTURE.md and docs/*.md under the root. */
  static List<Path> pages(Path root) {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    if (Files.exists(root.resolve("ARCHITECTURE.md"))) {
      pages.add(root.resolve("ARCHITECTURE.md"));
    }
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pages;
  }

  /** A fenced block: the line of its opening fence (1-based) and its content. */
  record Block(int line, String marker, List<String> content) {}

  /** The fenced blocks of a page, each with the line before its opening fence. */
  static List<Block> blocks(List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String fence = open.group(2);
      int indent = open.group(1).length();
      List<String> content = new ArrayList<>();
      int j = i + 1;
      while (j < lines.size() && !isClosing(lines.get(j), fence)) {
        String line = lines.get(j);
        content.add(line.substring(Math.min(indent, leadingSpaces(line))));
        j++;
      }
      blocks.add(new Block(i + 1, i == 0 ? "" : lines.get(i - 1).strip(), content));
      i = j;
    }
    return blocks;
  }

  private static boolean isClosing(String line, String fence) {
    String stripped = line.strip();
    return stripped.length() >= fence.length()
        && stripped.chars().allMatch(c -> c == fence.charAt(0));
  }

  /** Checks every block of the page; returns how many there were. */
  static int checkBlocks(Path root, Path page, List<String> problems) {
    String name = root.relativize(page).toString();
    List<Block> blocks = blocks(read(page));
    for (Block block : blocks) {
      String where = name + ":" + block.line() + ": ";
      Matcher snippet = SNIPPET.matcher(block.marker());
      Matcher checkedBy = CHECKED_BY.matcher(block.marker());
      if (snippet.matches()) {
        checkSnippet(root, snippet.group(1), snippet.group(2), block, where, problems);
      } else if (checkedBy.matches()) {
        checkCheckedBy(root, checkedBy.group(1), checkedBy.group(2), where, problems);
      } else {
        problems.add(
            where
                + "code block without a marker on the line before it: expected "
                + "<!-- snippet: path#tag --> or <!-- checked-by: fully.qualified.Test#method -->"
                + (block.marker().isEmpty() ? "" : ", found: " + block.marker()));
      }
    }
    return blocks.size();
  }

  private static void checkSnippet(
      Path root, String path, String tag, Block block, String where, List<String> problems) {
    Path file = root.resolve(path).normalize();
    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
      problems.add(where + "snippet file " + path + " does not exist");
      return;
    }
    if (!compiledOrTested(root, path)) {
      problems.add(
          where
              + "snippet file "
              + path
              + " is neither compiled (Java under src/main/java or src/test/java) nor named by a"
              + " test source (src/test/java)");
    }
    Optional<List<String>> region = region(read(file), tag, path, where, problems);
    if (region.isEmpty()) {
      return;
    }
    List<String> expected = region.get();
    if (!expected.equals(trimmed(block.content()))) {
      problems.add(
          where + "block differs from " + path + "#" + tag + ":\n" + diff(expected, block));
    }
  }

  /** The lines without blank lines at either end. */
  static List<String> trimmed(List<String> lines) {
    int from = 0;
    int to = lines.size();
    while (from < to && lines.get(from).isBlank()) {
      from++;
    }
    while (to > from && lines.get(to - 1).isBlank()) {
      to--;
    }
    return new ArrayList<>(lines.subList(from, to));
  }

  /** The tagged region: marker lines removed, common indentation stripped. */
  static Optional<List<String>> region(
      List<String> lines, String tag, String path, String where, List<String> problems) {
    String start = "tag::" + tag + "[]";
    String end = "end::" + tag + "[]";
    int from = -1;
    int count = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(start)) {
        from = from < 0 ? i : from;
        count++;
      }
    }
    if (count == 0) {
      problems.add(where + "no tag::" + tag + "[] in " + path);
      return Optional.empty();
    }
    if (count > 1) {
      problems.add(where + "tag::" + tag + "[] appears " + count + " times in " + path);
      return Optional.empty();
    }
    List<String> region = new ArrayList<>();
    int i = from + 1;
    while (i < lines.size() && !lines.get(i).contains(end)) {
      if (!lines.get(i).contains("tag::") && !lines.get(i).contains("end::")) {
        region.add(lines.get(i));
      }
      i++;
    }
    if (i == lines.size()) {
      problems.add(where + "no end::" + tag + "[] after tag::" + tag + "[] in " + path);
      return Optional.empty();
    }
    // blank lines at the region's edges (the formatter's spacing around markers) do not count
    region = trimmed(region);
    int indent =
        region.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(DocsCodeBlocksTest::leadingSpaces)
            .min()
            .orElse(0);
    return Optional.of(region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
  }

  private static boolean compiledOrTested(Path root, String path) {
    if (path.endsWith(".java")
        && (path.contains("/src/main/java/") || path.contains("/src/test/java/"))) {
      return true;
    }
    String fileName = Path.of(path).getFileName().toString();
    return testSources(root)
        .anyMatch(source -> read(source).stream().anyMatch(l -> l.contains(fileName)));
  }

  private static Stream<Path> testSources(Path root) {
    try (Stream<Path> modules = Files.list(root)) {
      List<Path> dirs =
          modules
              .map(m -> m.resolve("src/test/java"))
              .filter(Files::isDirectory)
              .collect(Collectors.toList());
      List<Path> sources = new ArrayList<>();
      for (Path dir : dirs) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
        }
      }
      return sources.stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkCheckedBy(
      Path root, String className, String method, String where, List<String> problems) {
    String relative = className.replace('.', '/') + ".java";
    Optional<Path> source;
    try (Stream<Path> modules = Files.list(root)) {
      source =
          modules
              .map(m -> m.resolve("src/test/java").resolve(relative))
              .filter(Files::isRegularFile)
              .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (source.isEmpty()) {
      problems.add(where + "checked-by test " + className + " not found under */src/test/java");
      return;
    }
    Pattern declaration = Pattern.compile("\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(");
    if (read(source.get()).stream().noneMatch(l -> declaration.matcher(l).find())) {
      problems.add(where + "checked-by test " + className + " has no method " + method);
    }
  }

  private static String diff(List<String> expected, Block block) {
    List<String> actual = block.content();
    int first = 0;
    while (first < expected.size()
        && first < actual.size()
        && expected.get(first).equals(actual.get(first))) {
      first++;
    }
    StringBuilder out = new StringBuilder();
    out.append("  first difference at block line ")
        .append(first + 1)
        .append(" (page line ")
        .append(block.line() + first + 1)
        .append("); '-' = source, '+' = page\n");
    for (int k = first; k < Math.min(expected.size(), first + DIFF_LINES); k++) {
      out.append("  - ").append(expected.get(k)).append('\n');
    }
    for (int k = first; k < Math.min(actual.size(), first + DIFF_LINES); k++) {
      out.append("  + ").append(actual.get(k)).append('\n');
    }
    return out.toString();
  }

  /** Checks the page's relative links: the file exists, and the anchor is one of its headings. */
  static void checkLinks(Path root, Path page, List<String> problems) {
    String name = root.relativize(page).toString();
    List<String> lines = read(page);
    boolean inBlock = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (FENCE.matcher(line).matches()) {
        inBlock = !inBlock;
        continue;
      }
      if (inBlock) {
        continue;
      }
      Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // https:, mailto:
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? "" : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = name + ":" + (i + 1) + ": link " + target;
        if (!Files.exists(resolved)) {
          problems.add(where + ": " + root.relativize(resolved) + " does not exist");
        } else if (!anchor.isEmpty()
            && resolved.toString().endsWith(".md")
            && !anchors(read(resolved)).contains(anchor)) {
          problems.add(where + ": no heading with anchor #" + anchor);
        }
      }
    }
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, deduplicated. */
  static Set<String> anchors(List<String> lines) {
    Set<String> anchors = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    boolean inBlock = false;
    for (String line : lines) {
      if (FENCE.matcher(line).matches()) {
        inBlock = !inBlock;
        continue;
      }
      if (inBlock || !line.startsWith("#")) {
        continue;
      }
      String text = line.replaceFirst("^#+\\s*", "").strip();
      String anchor =
          text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      String unique = anchor;
      for (int n = 1; !seen.add(unique); n++) {
        unique = anchor + "-" + n;
      }
      anchors.add(unique);
    }
    return anchors;
  }

  private static int leadingSpaces(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Path write(Path root, String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, UTF_8);
    return file;
  }
}
