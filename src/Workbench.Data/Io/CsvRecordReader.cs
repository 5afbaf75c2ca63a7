using System.Buffers;

namespace Workbench.Data.Io;

/// <summary>A fast RFC 4180 record reader over a TextReader: fields are spans into an internal buffer (no
/// per-field allocation), quoted fields may hold delimiters, doubled quotes and line breaks, lines end with
/// LF or CRLF, blank lines are skipped. In whitespace mode fields are separated by runs of spaces or tabs
/// and quotes have no meaning. It also keeps the record's original text and the line it started on.</summary>
internal sealed class CsvRecordReader : IDisposable
{
    readonly TextReader reader;
    readonly char delimiter;
    readonly bool whitespace;
    readonly SearchValues<char> fieldEnd;
    char[] buf = new char[1 << 20];
    int start, end;
    bool eof;
    long nextLine = 1;

    int[] fStart = new int[32], fLen = new int[32];
    bool[] fQuoted = new bool[32], fScratch = new bool[32];
    char[] scratch = new char[256];
    int scratchLen;
    int recStart, recEnd;

    public CsvRecordReader(TextReader reader, char delimiter = ',', bool whitespace = false)
    {
        this.reader = reader; this.delimiter = delimiter; this.whitespace = whitespace;
        fieldEnd = whitespace ? SearchValues.Create(" \t\r\n") : SearchValues.Create([delimiter, '\r', '\n']);
    }

    public static CsvRecordReader Open(string path, char delimiter = ',', bool whitespace = false, System.Text.Encoding? encoding = null) =>
        new(new StreamReader(path, encoding ?? System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan }), delimiter, whitespace);

    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>1-based line on which the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>A quoting error in the current record (unterminated quote, text after a closing quote), or null.</summary>
    public string? Malformed { get; private set; }

    public ReadOnlySpan<char> Field(int i) => fScratch[i] ? scratch.AsSpan(fStart[i], fLen[i]) : buf.AsSpan(fStart[i], fLen[i]);

    /// <summary>True when the field was written in quotes: <c>""</c> is an empty string, an empty unquoted field is null.</summary>
    public bool Quoted(int i) => fQuoted[i];

    /// <summary>The current record's original text without its line break.</summary>
    public ReadOnlySpan<char> RawText => buf.AsSpan(recStart, recEnd - recStart);

    public bool Read()
    {
        while (true)
        {
            if (start >= end)
            {
                if (eof) return false;
                Fill();
                continue;
            }
            bool done = whitespace ? ParseWhitespace() : ParseDelimited();
            if (done)
            {
                if (FieldCount == 1 && fLen[0] == 0 && !fQuoted[0] && RawText.IsWhiteSpace()) continue; // blank line
                return true;
            }
            Fill();
        }
    }

    void Fill()
    {
        if (start > 0)
        {
            Array.Copy(buf, start, buf, 0, end - start);
            end -= start; start = 0;
        }
        if (end == buf.Length) Array.Resize(ref buf, buf.Length * 2); // one record longer than the buffer
        int n = reader.Read(buf, end, buf.Length - end);
        if (n == 0) eof = true; else end += n;
    }

    void AddField(int s, int len, bool quoted, bool inScratch)
    {
        if (FieldCount == fStart.Length)
        {
            int n = fStart.Length * 2;
            Array.Resize(ref fStart, n); Array.Resize(ref fLen, n); Array.Resize(ref fQuoted, n); Array.Resize(ref fScratch, n);
        }
        fStart[FieldCount] = s; fLen[FieldCount] = len; fQuoted[FieldCount] = quoted; fScratch[FieldCount] = inScratch;
        FieldCount++;
    }

    /// <summary>Parses one record starting at <c>start</c>; false when the buffer ends before the record does.</summary>
    bool ParseDelimited()
    {
        FieldCount = 0; scratchLen = 0; Malformed = null;
        int p = start;
        while (true)
        {
            if (p < end && buf[p] == '"')
            {
                int q = p + 1;
                bool escaped = false;
                while (true)
                {
                    int idx = buf.AsSpan(q, end - q).IndexOf('"');
                    if (idx < 0)
                    {
                        if (!eof) return false;
                        Malformed = "a closing quote before the end of the file";
                        q = end;
                        break;
                    }
                    q += idx;
                    if (q + 1 >= end && !eof) return false;
                    if (q + 1 < end && buf[q + 1] == '"') { escaped = true; q += 2; continue; }
                    break;
                }
                if (escaped) AddUnescaped(p + 1, q - p - 1); else AddField(p + 1, q - p - 1, true, false);
                p = Math.Min(q + 1, end);
                if (p >= end) { if (!eof) return false; return Finish(p, p); }
                char c = buf[p];
                if (c == delimiter) { p++; continue; }
                if (c != '\r' && c != '\n')
                {
                    // Text after a closing quote: keep it with the field so nothing is lost, and flag the record.
                    Malformed ??= "a delimiter or line end after a closing quote";
                    int idx = buf.AsSpan(p, end - p).IndexOfAny(fieldEnd);
                    if (idx < 0) { if (!eof) return false; idx = end - p; }
                    p += idx;
                    if (p >= end) return Finish(p, p);
                    if (buf[p] == delimiter) { p++; continue; }
                }
                return Terminate(p);
            }
            else
            {
                int idx = buf.AsSpan(p, end - p).IndexOfAny(fieldEnd);
                if (idx < 0)
                {
                    if (!eof) return false;
                    AddField(p, end - p, false, false);
                    return Finish(end, end);
                }
                AddField(p, idx, false, false);
                p += idx;
                if (buf[p] == delimiter) { p++; continue; }
                return Terminate(p);
            }
        }
    }

    void AddUnescaped(int s, int len)
    {
        if (scratch.Length < scratchLen + len) Array.Resize(ref scratch, Math.Max(scratch.Length * 2, scratchLen + len));
        int w = scratchLen;
        for (int i = s; i < s + len; i++)
        {
            scratch[w++] = buf[i];
            if (buf[i] == '"' && i + 1 < s + len && buf[i + 1] == '"') i++;
        }
        AddField(scratchLen, w - scratchLen, true, true);
        scratchLen = w;
    }

    /// <summary>At a line break at <paramref name="p"/>: consume it (CRLF or LF or CR).</summary>
    bool Terminate(int p)
    {
        int next;
        if (buf[p] == '\r')
        {
            if (p + 1 >= end && !eof) return false;
            next = p + 1 < end && buf[p + 1] == '\n' ? p + 2 : p + 1;
        }
        else next = p + 1;
        return Finish(p, next);
    }

    bool Finish(int rawEnd, int next)
    {
        recStart = start; recEnd = rawEnd;
        Line = nextLine;
        nextLine += 1 + buf.AsSpan(recStart, recEnd - recStart).Count('\n');
        start = next;
        return true;
    }

    bool ParseWhitespace()
    {
        FieldCount = 0; scratchLen = 0; Malformed = null;
        int idx = buf.AsSpan(start, end - start).IndexOfAny('\r', '\n');
        int lineEnd;
        if (idx < 0) { if (!eof) return false; lineEnd = end; }
        else lineEnd = start + idx;
        int p = start;
        while (p < lineEnd)
        {
            while (p < lineEnd && (buf[p] == ' ' || buf[p] == '\t')) p++;
            if (p >= lineEnd) break;
            int s = p;
            while (p < lineEnd && buf[p] != ' ' && buf[p] != '\t') p++;
            AddField(s, p - s, false, false);
        }
        if (FieldCount == 0) AddField(start, 0, false, false);
        if (idx < 0) return Finish(lineEnd, lineEnd);
        return Terminate(lineEnd);
    }

    public void Dispose() => reader.Dispose();
}
