using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workbench.Notebooks;

/// <summary>A Jupyter notebook (nbformat 4, written as 4.5) kept as its JSON tree, so fields this model does not
/// know (attachments, widget state, extension metadata) pass through untouched. Typed accessors cover what the
/// runner, verifier and kernel need.</summary>
public sealed partial class NotebookDocument
{
    /// <summary>The kernelspec name the workbench kernel installs under.</summary>
    public const string KernelName = "workbench-csharp";

    readonly JsonObject root;

    NotebookDocument(JsonObject root, string source)
    {
        this.root = root;
        Source = source;
    }

    /// <summary>Where the notebook came from (a path, or a label for in-memory notebooks); used in error messages.</summary>
    public string Source { get; }

    /// <summary>Notebook-level metadata (kernelspec, language_info, ...).</summary>
    public JsonObject Metadata => (JsonObject)root["metadata"]!;

    /// <summary>The cells in order.</summary>
    public IReadOnlyList<NotebookCell> Cells => ((JsonArray)root["cells"]!).Select(c => new NotebookCell((JsonObject)c!)).ToList();

    /// <summary>An empty nbformat 4.5 notebook with the workbench C# kernelspec.</summary>
    public static NotebookDocument CreateNew(string source = "new notebook")
    {
        var doc = new NotebookDocument(new JsonObject
        {
            ["cells"] = new JsonArray(),
            ["metadata"] = new JsonObject(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        }, source);
        doc.EnsureKernelMetadata();
        return doc;
    }

    /// <summary>Reads and validates a notebook file.</summary>
    public static NotebookDocument Load(string path)
    {
        if (!File.Exists(path)) throw new WorkbenchException($"notebook not found: {path}");
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Parses and validates notebook JSON; problems name the source, the line, the JSON path and what was expected.</summary>
    public static NotebookDocument Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            // A duplicate key would make the document mean whatever the last reader picks: refused, with its path.
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new DataValidationException([new DataProblem(source, (ex.LineNumber ?? 0) + 1, null, null,
                $"valid JSON (column {(ex.BytePositionInLine ?? 0) + 1}{(string.IsNullOrEmpty(ex.Path) ? "" : ", at " + ex.Path)}: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.')})")]);
        }
        if (node is not JsonObject obj)
            throw new DataValidationException([new DataProblem(source, 1, null, null, "a JSON object at the top level (an .ipynb notebook)")]);
        var doc = new NotebookDocument(obj, source);
        doc.Validate(CellLines(json));
        return doc;
    }

    /// <summary>The notebook as nbformat writes it (sorted keys, 1-space indent, trailing newline).</summary>
    public string ToJson() => NotebookJson.Write(root);

    /// <summary>Writes the notebook atomically: a temporary file in the same folder, then a rename.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp");
        File.WriteAllText(temp, ToJson(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>A deep copy (the runner and verifier never change the notebook they were given).</summary>
    public NotebookDocument Clone() => new((JsonObject)root.DeepClone(), Source);

    /// <summary>Sets the workbench C# kernelspec and language_info, keeping other metadata.</summary>
    public void EnsureKernelMetadata()
    {
        Metadata["kernelspec"] = new JsonObject
        {
            ["display_name"] = "C# (Workbench)",
            ["language"] = "C#",
            ["name"] = KernelName,
        };
        var info = Metadata["language_info"] as JsonObject ?? new JsonObject();
        info["name"] = "C#";
        info["file_extension"] = ".cs";
        info["mimetype"] = "text/x-csharp";
        info["pygments_lexer"] = "csharp";
        Metadata["language_info"] = info;
    }

    /// <summary>Appends a cell and returns it.</summary>
    public NotebookCell AddCell(string cellType, string source, params string[] tags) =>
        InsertCell(((JsonArray)root["cells"]!).Count, cellType, source, null, tags);

    /// <summary>Inserts a cell at <paramref name="index"/>; its id is <paramref name="id"/> or derived from its position and source.</summary>
    public NotebookCell InsertCell(int index, string cellType, string source, string? id, params string[] tags)
    {
        var cell = new JsonObject
        {
            ["cell_type"] = cellType,
            ["id"] = id ?? DeterministicId(index, source),
            ["metadata"] = tags.Length == 0 ? new JsonObject() : new JsonObject { ["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray()) },
            ["source"] = NotebookJson.MultilineNode(source),
        };
        if (cellType == "code")
        {
            cell["execution_count"] = null;
            cell["outputs"] = new JsonArray();
        }
        ((JsonArray)root["cells"]!).Insert(index, cell);
        return new NotebookCell(cell);
    }

    /// <summary>Removes the cell at <paramref name="index"/>.</summary>
    public void RemoveCellAt(int index) => ((JsonArray)root["cells"]!).RemoveAt(index);

    /// <summary>Upgrades 4.0-4.4 to 4.5: ids derived from position and source (same notebook, same ids).</summary>
    public void UpgradeToMinor5()
    {
        var cells = (JsonArray)root["cells"]!;
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = (JsonObject)cells[i]!;
            if (cell["id"] is null) cell["id"] = DeterministicId(i, NotebookJson.ReadMultiline(cell["source"]));
        }
        root["nbformat_minor"] = 5;
    }

    static string DeterministicId(int index, string source) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture) + "\n" + source)))[..8];

    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex CellIdPattern();

    static readonly string[] CellTypes = ["code", "markdown", "raw"];

    void Validate(IReadOnlyList<long> cellLines)
    {
        var problems = new List<DataProblem>();
        void Problem(long line, string path, JsonNode? value, string expected) =>
            problems.Add(new DataProblem(Source, line, path, value?.ToJsonString(), expected));

        if (root["nbformat"] is not JsonValue major || !major.TryGetValue<int>(out var nbformat) || nbformat != 4)
            Problem(1, "nbformat", root["nbformat"], "4 (this tool reads nbformat 4 notebooks)");
        var minor = root["nbformat_minor"] is JsonValue m && m.TryGetValue<int>(out var mv) ? mv : -1;
        if (minor < 0) Problem(1, "nbformat_minor", root["nbformat_minor"], "an integer");
        if (root["metadata"] is not JsonObject) Problem(1, "metadata", root["metadata"], "an object");
        if (root["cells"] is not JsonArray cells)
        {
            Problem(1, "cells", root["cells"], "an array of cells");
            throw new DataValidationException(problems);
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cells.Count; i++)
        {
            var line = i < cellLines.Count ? cellLines[i] : 1;
            var path = $"cells[{i}]";
            if (cells[i] is not JsonObject cell) { Problem(line, path, cells[i], "a cell object"); continue; }
            var type = cell["cell_type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
            if (type is null || !CellTypes.Contains(type)) Problem(line, path + ".cell_type", cell["cell_type"], "one of code, markdown, raw");
            if (cell["metadata"] is not JsonObject cellMetadata) Problem(line, path + ".metadata", cell["metadata"], "an object");
            else if (cellMetadata["tags"] is { } tags && !(tags is JsonArray tagList && tagList.All(x => x is JsonValue tv && tv.GetValueKind() == JsonValueKind.String)))
                Problem(line, path + ".metadata.tags", tags, "a list of strings");
            if (!IsMultiline(cell["source"])) Problem(line, path + ".source", cell["source"], "a string or a list of strings");
            if (minor >= 5)
            {
                var id = cell["id"] is JsonValue idv && idv.GetValueKind() == JsonValueKind.String ? idv.GetValue<string>() : null;
                if (id is null || !CellIdPattern().IsMatch(id)) Problem(line, path + ".id", cell["id"], "a cell id of 1-64 letters, digits, '-' or '_' (nbformat 4.5)");
                else if (!ids.Add(id)) Problem(line, path + ".id", cell["id"], "an id not used by another cell");
            }
            if (type == "code")
            {
                if (cell["execution_count"] is JsonNode count && !(count is JsonValue cv && cv.TryGetValue<int>(out _)))
                    Problem(line, path + ".execution_count", count, "null or an integer");
                if (cell["outputs"] is not JsonArray outputs) { Problem(line, path + ".outputs", cell["outputs"], "an array of outputs"); continue; }
                for (var o = 0; o < outputs.Count; o++) ValidateOutput(outputs[o], line, $"{path}.outputs[{o}]", Problem);
            }
        }
        if (problems.Count > 0) throw new DataValidationException(problems);
    }

    static void ValidateOutput(JsonNode? output, long line, string path, Action<long, string, JsonNode?, string> problem)
    {
        if (output is not JsonObject o) { problem(line, path, output, "an output object"); return; }
        var type = o["output_type"] is JsonValue tv && tv.GetValueKind() == JsonValueKind.String ? tv.GetValue<string>() : null;
        switch (type)
        {
            case "stream":
                if (!(o["name"] is JsonValue nv && nv.GetValueKind() == JsonValueKind.String && nv.GetValue<string>() is "stdout" or "stderr"))
                    problem(line, path + ".name", o["name"], "stdout or stderr");
                if (!IsMultiline(o["text"])) problem(line, path + ".text", o["text"], "a string or a list of strings");
                break;
            case "display_data" or "execute_result":
                if (o["data"] is not JsonObject bundle) problem(line, path + ".data", o["data"], "a MIME bundle object");
                else
                    foreach (var (mime, value) in bundle)
                        if (value is not JsonObject && !IsMultiline(value))
                            problem(line, $"{path}.data['{mime}']", value, "a string, a list of strings, or (for JSON types) an object");
                if (o["metadata"] is not JsonObject) problem(line, path + ".metadata", o["metadata"], "an object");
                break;
            case "error":
                if (!IsString(o["ename"])) problem(line, path + ".ename", o["ename"], "a string");
                if (!IsString(o["evalue"])) problem(line, path + ".evalue", o["evalue"], "a string");
                if (!(o["traceback"] is JsonArray tb && tb.All(IsString))) problem(line, path + ".traceback", o["traceback"], "a list of strings");
                break;
            default:
                problem(line, path + ".output_type", o["output_type"], "one of stream, display_data, execute_result, error");
                break;
        }
    }

    static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    static bool IsMultiline(JsonNode? node) => node switch
    {
        JsonValue v => v.GetValueKind() == JsonValueKind.String,
        JsonArray a => a.All(x => x is JsonValue xv && xv.GetValueKind() == JsonValueKind.String),
        _ => false,
    };

    /// <summary>The 1-based line where each element of the top-level "cells" array starts, for error messages.</summary>
    static List<long> CellLines(string json)
    {
        var lines = new List<long>();
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var inCells = false;
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName) inCells = reader.ValueTextEquals("cells");
                else if (inCells && reader.CurrentDepth == 2 && reader.TokenType == JsonTokenType.StartObject)
                    lines.Add(1 + bytes.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n'));
            }
        }
        catch (JsonException) { } // positions are a courtesy; Parse already reported malformed JSON
        return lines;
    }
}

/// <summary>One cell, a view over its JSON object (changes write through).</summary>
public sealed class NotebookCell
{
    internal NotebookCell(JsonObject node) => Node = node;

    internal JsonObject Node { get; }

    /// <summary>code, markdown or raw.</summary>
    public string CellType => Node["cell_type"]!.GetValue<string>();

    /// <summary>The cell id (nbformat 4.5), or null in older notebooks.</summary>
    public string? Id => Node["id"]?.GetValue<string>();

    /// <summary>The source text (joined from nbformat's list of lines).</summary>
    public string Source
    {
        get => NotebookJson.ReadMultiline(Node["source"]);
        set => Node["source"] = NotebookJson.MultilineNode(value);
    }

    /// <summary>Cell metadata (tags, execution timing, ...).</summary>
    public JsonObject Metadata => Node["metadata"] as JsonObject ?? (JsonObject)(Node["metadata"] = new JsonObject());

    /// <summary>The cell's tags (metadata.tags).</summary>
    public IReadOnlyList<string> Tags => Metadata["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? "").ToList() : [];

    /// <summary>The code cell's execution count, or null when it has not run.</summary>
    public int? ExecutionCount
    {
        get => Node["execution_count"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
        set => Node["execution_count"] = value;
    }

    /// <summary>The code cell's outputs as stored (an empty list for other cells).</summary>
    public JsonArray Outputs => Node["outputs"] as JsonArray ?? [];

    /// <summary>The stored outputs converted back to engine outputs (for comparison in verify).</summary>
    public IReadOnlyList<CellOutput> ReadOutputs() => Outputs.OfType<JsonObject>().Select(NotebookOutputs.FromJson).ToList();

    /// <summary>Replaces the outputs with <paramref name="outputs"/>, in nbformat form.</summary>
    public void SetOutputs(IEnumerable<CellOutput> outputs, int? executionCount)
    {
        Node["outputs"] = new JsonArray(outputs.Select(o => (JsonNode?)NotebookOutputs.ToJson(o, executionCount)).ToArray());
        Node["execution_count"] = executionCount;
    }

    /// <summary>True when the cell has the tag.</summary>
    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.Ordinal);
}

/// <summary>Conversion between engine outputs and nbformat output objects.</summary>
internal static class NotebookOutputs
{
    public static JsonObject ToJson(CellOutput output, int? executionCount) => output switch
    {
        StreamOutput s => new JsonObject { ["name"] = s.Name, ["output_type"] = "stream", ["text"] = NotebookJson.MultilineNode(s.Text) },
        DisplayOutput d when d.IsResult => new JsonObject
        {
            ["data"] = Bundle(d.Data), ["execution_count"] = executionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result",
        },
        DisplayOutput d => new JsonObject { ["data"] = Bundle(d.Data), ["metadata"] = new JsonObject(), ["output_type"] = "display_data" },
        ErrorOutput e => new JsonObject
        {
            ["ename"] = e.Name, ["evalue"] = e.Message, ["output_type"] = "error",
            ["traceback"] = new JsonArray(e.Traceback.Select(t => (JsonNode?)t).ToArray()),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(output), output, "unknown output kind"),
    };

    static JsonObject Bundle(IReadOnlyDictionary<string, string> data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, text) in data) bundle[mime] = NotebookJson.IsJsonMime(mime) ? JsonNode.Parse(text) : NotebookJson.MultilineNode(text);
        return bundle;
    }

    public static CellOutput FromJson(JsonObject o)
    {
        var type = o["output_type"]?.GetValue<string>();
        switch (type)
        {
            case "stream":
                return new StreamOutput(o["name"]?.GetValue<string>() ?? "stdout", NotebookJson.ReadMultiline(o["text"]));
            case "error":
                return new ErrorOutput(o["ename"]?.GetValue<string>() ?? "", o["evalue"]?.GetValue<string>() ?? "",
                    (o["traceback"] as JsonArray)?.Select(t => t?.GetValue<string>() ?? "").ToList() ?? []);
            default:
                var data = new SortedDictionary<string, string>(StringComparer.Ordinal);
                if (o["data"] is JsonObject bundle)
                    foreach (var (mime, value) in bundle)
                        // JSON MIME types (application/json, plotly) hold objects; text types hold multi-line strings.
                        data[mime] = value is JsonObject ? value.ToJsonString() : NotebookJson.ReadMultiline(value);
                return new DisplayOutput(data, type == "execute_result");
        }
    }
}
