package dev.descent.cli;

import dev.descent.cli.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A report page: headings, paragraphs, figures (PNG files next to the page) and tables, written both as HTML
 * ({@code report.html}, open it in a browser) and as Markdown ({@code report.md}, readable as text and on code hosts).
 */
public final class Report {
    private sealed interface Block permits Heading, Paragraph, Figure, Table, Code {
    }

    private record Heading(int level, String text) implements Block {
    }

    private record Paragraph(String text) implements Block {
    }

    private record Figure(String file, String caption) implements Block {
    }

    private record Table(List<String> header, List<List<String>> rows) implements Block {
    }

    private record Code(String text) implements Block {
    }

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public Report(String title) {
        this.title = title;
    }

    public Report heading(String text) {
        blocks.add(new Heading(2, text));
        return this;
    }

    public Report subheading(String text) {
        blocks.add(new Heading(3, text));
        return this;
    }

    public Report paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    /** A figure: {@code file} relative to the report's folder. */
    public Report figure(String file, String caption) {
        blocks.add(new Figure(file, caption));
        return this;
    }

    public Report table(List<String> header, List<List<String>> rows) {
        blocks.add(new Table(List.copyOf(header), rows.stream().map(List::copyOf).toList()));
        return this;
    }

    public Report code(String text) {
        blocks.add(new Code(text));
        return this;
    }

    /** Writes {@code dir/report.html} and {@code dir/report.md}. */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve("report.html"), html());
        AtomicFiles.writeString(dir.resolve("report.md"), markdown());
    }

    /** The page as HTML. */
    public String html() {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1320px;")
                .append("margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n")
                .append("h1{border-bottom:2px solid #ddd;padding-bottom:.3em}")
                .append("h2{margin-top:2em;border-bottom:1px solid #eee}\n")
                .append("figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}")
                .append("figcaption{color:#555;font-size:.92em}\n")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:.92em}")
                .append("th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}")
                .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\n")
                .append("pre{background:#f6f6f6;padding:.6em;overflow-x:auto}\n</style>\n</head>\n<body>\n<h1>")
                .append(esc(title)).append("</h1>\n");
        for (Block b : blocks) {
            switch (b) {
                case Heading h -> sb.append("<h").append(h.level()).append('>').append(esc(h.text()))
                        .append("</h").append(h.level()).append(">\n");
                case Paragraph p -> sb.append("<p>").append(esc(p.text())).append("</p>\n");
                case Figure f -> sb.append("<figure><a href=\"").append(esc(f.file())).append("\"><img src=\"")
                        .append(esc(f.file())).append("\" alt=\"").append(esc(f.caption())).append("\"></a>")
                        .append("<figcaption>").append(esc(f.caption())).append(" (<code>").append(esc(f.file()))
                        .append("</code>)</figcaption></figure>\n");
                case Table t -> {
                    sb.append("<table>\n<tr>");
                    for (String h : t.header()) {
                        sb.append("<th>").append(esc(h)).append("</th>");
                    }
                    sb.append("</tr>\n");
                    for (List<String> r : t.rows()) {
                        sb.append("<tr>");
                        for (String c : r) {
                            sb.append("<td>").append(esc(c)).append("</td>");
                        }
                        sb.append("</tr>\n");
                    }
                    sb.append("</table>\n");
                }
                case Code c -> sb.append("<pre>").append(esc(c.text())).append("</pre>\n");
            }
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    /** The page as Markdown. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (Block b : blocks) {
            switch (b) {
                case Heading h -> sb.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
                case Paragraph p -> sb.append(p.text()).append("\n\n");
                case Figure f -> sb.append("![").append(f.caption()).append("](").append(f.file()).append(")\n\n*")
                        .append(f.caption()).append("*\n\n");
                case Table t -> {
                    sb.append("| ").append(String.join(" | ", t.header())).append(" |\n|");
                    sb.append(" --- |".repeat(t.header().size())).append('\n');
                    for (List<String> r : t.rows()) {
                        sb.append("| ").append(String.join(" | ", r.stream().map(c -> c.replace("|", "\\|")).toList()))
                                .append(" |\n");
                    }
                    sb.append('\n');
                }
                case Code c -> sb.append("```\n").append(c.text()).append(c.text().endsWith("\n") ? "" : "\n")
                        .append("```\n\n");
            }
        }
        return sb.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
