using System.Text;
using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

public sealed class IpynbTests
{
    // Written by nbformat 5 (json.dumps indent=1, sort_keys, ensure_ascii=False), with an attachment and unknown metadata.
    const string JupyterWritten = """
{
 "cells": [
  {
   "attachments": {
    "logo.png": {
     "image/png": "iVBORw0KGgo="
    }
   },
   "cell_type": "markdown",
   "id": "a1",
   "metadata": {
    "jp-MarkdownHeadingCollapsed": true
   },
   "source": [
    "# Título ✓\n",
    "![logo](attachment:logo.png)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "id": "b2",
   "metadata": {
    "tags": [
     "parameters"
    ]
   },
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "tab\there \"quoted\" \\ back\n",
      "ctrl \u0001 end"
     ]
    },
    {
     "data": {
      "text/plain": [
       "1.5"
      ]
     },
     "execution_count": 3,
     "metadata": {},
     "output_type": "execute_result"
    }
   ],
   "source": [
    "var x = 1.5;\n",
    "x"
   ]
  }
 ],
 "metadata": {
  "custom": {
   "a": {},
   "ratio": 0.30000000000000004,
   "z": []
  },
  "kernelspec": {
   "display_name": "C# (Workbench)",
   "language": "C#",
   "name": "workbench-csharp"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}

""";

    static string Sorted(string json) => json.TrimEnd('\n') + "\n";

    static string Unsorted(string json) => json.Replace("   \"a\": {},\n   \"ratio\": 0.30000000000000004,\n   \"z\": []", "   \"z\": [], \"ratio\": 0.30000000000000004, \"a\": {}");

    [Fact]
    public void Reading_and_writing_a_jupyter_notebook_gives_the_same_bytes()
    {
        var expected = Sorted(JupyterWritten);
        var notebook = NotebookDocument.Parse(expected, "jupyter.ipynb");
        Assert.Equal(expected, notebook.ToJson());
    }

    [Fact]
    public void Writing_is_stable_and_sorts_keys_like_nbformat()
    {
        var unsorted = Unsorted(JupyterWritten);
        Assert.NotEqual(JupyterWritten, unsorted);
        var once = NotebookDocument.Parse(unsorted, "unsorted.ipynb").ToJson();
        Assert.Equal(Sorted(JupyterWritten), once);
        var twice = NotebookDocument.Parse(once, "again.ipynb").ToJson();
        Assert.Equal(once, twice);
        Assert.True(once.IndexOf("\"a\": {}", StringComparison.Ordinal) < once.IndexOf("\"z\": []", StringComparison.Ordinal));
    }

    [Fact]
    public void Typed_accessors_read_source_tags_outputs_and_keep_attachments()
    {
        var notebook = NotebookDocument.Parse(JupyterWritten, "jupyter.ipynb");
        var code = notebook.Cells[1];
        Assert.Equal("var x = 1.5;\nx", code.Source);
        Assert.True(code.HasTag("parameters"));
        Assert.Equal(3, code.ExecutionCount);
        Assert.Equal("tab\there \"quoted\" \\ back\nctrl \u0001 end", Assert.IsType<StreamOutput>(code.ReadOutputs()[0]).Text);
        Assert.Contains("\"logo.png\"", notebook.ToJson());
    }

    [Fact]
    public void Save_writes_utf8_without_bom_and_leaves_no_temp_file()
    {
        var dir = TestPaths.NewTempDir("ipynb-save");
        var path = Path.Combine(dir, "n.ipynb");
        var notebook = NotebookDocument.CreateNew();
        notebook.AddCell("code", "1 + 1", "parameters");
        notebook.Save(path);

        var bytes = File.ReadAllBytes(path);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal(notebook.ToJson(), Encoding.UTF8.GetString(bytes));
        Assert.Single(Directory.GetFiles(dir));
        var reloaded = NotebookDocument.Load(path);
        Assert.Equal("workbench-csharp", reloaded.Metadata["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("text/x-csharp", reloaded.Metadata["language_info"]!["mimetype"]!.GetValue<string>());
    }

    [Fact]
    public void A_cell_without_an_id_in_a_4_5_notebook_is_reported_with_its_line()
    {
        var json = JupyterWritten.Replace("   \"id\": \"b2\",\n", "");
        var error = Assert.Throws<DataValidationException>(() => NotebookDocument.Parse(json, "bad.ipynb"));
        var problem = Assert.Single(error.Problems);
        Assert.Equal("bad.ipynb", problem.File);
        Assert.Equal("cells[1].id", problem.Column);
        Assert.Equal(19, problem.Line); // the line where that cell's object starts
    }

    [Fact]
    public void Broken_json_names_the_line()
    {
        var error = Assert.Throws<DataValidationException>(() => NotebookDocument.Parse("{\n \"cells\": [,\n", "broken.ipynb"));
        Assert.Equal(2, error.Problems[0].Line);
    }

    [Fact]
    public void An_unknown_output_type_is_rejected()
    {
        var json = JupyterWritten.Replace("\"output_type\": \"stream\"", "\"output_type\": \"streem\"");
        var error = Assert.Throws<DataValidationException>(() => NotebookDocument.Parse(json, "x.ipynb"));
        Assert.Contains(error.Problems, p => p.Column == "cells[1].outputs[0].output_type");
    }
}
