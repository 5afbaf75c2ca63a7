using System.Text.Json;

namespace Workbench.Analytics.Actions;

/// <summary>One condition of a rule: a context column compared with a number (or, for "in", a list of numbers).</summary>
public sealed record RuleCondition(string Feature, string Op, IReadOnlyList<double> Values);

/// <summary>An if-then rule: when every condition holds, recommend the action (and product), with a reason template
/// whose {feature} placeholders are filled with the account's values.</summary>
public sealed record ActionRule(string Name, IReadOnlyList<RuleCondition> When, string Action, string? Product, int Priority, string Reason, int Line);

/// <summary>Which rule matched an account and what it says.</summary>
public sealed record RuleMatch(string Rule, int ActionIndex, string Action, string? Product, string Reason);

/// <summary>A problem in a rules file, located by line and column.</summary>
public sealed record RuleProblem(int Line, int Column, string Message);

/// <summary>Thrown when a rules file is invalid: every problem, each with its line and column.</summary>
public sealed class RuleFileException(string source, IReadOnlyList<RuleProblem> problems)
    : WorkbenchException($"{source}: {problems.Count} problem(s) in the rules file:" + string.Concat(problems.Select(p => $"\n  {source}:{p.Line}:{p.Column}: {p.Message}")))
{
    public IReadOnlyList<RuleProblem> Problems { get; } = problems;
}

/// <summary>
/// Declarative next-best-action rules read from JSON:
/// <code>
/// { "rules": [ { "name": "rescue", "when": [ { "feature": "utilization_change_3m", "op": "&lt;", "value": -0.05 } ],
///                "action": "training_invite", "priority": 10, "reason": "Utilization moved {utilization_change_3m} in 3 months" } ],
///   "default": { "action": "health_check", "reason": "No rule matched" } }
/// </code>
/// Conditions compare context columns (<see cref="DecisionFrame.ContextNames"/>: registry features, "annual_value" as
/// the value measure and "segment") with "&lt;", "&lt;=", "&gt;", "&gt;=", "==", "!=" or "in" (a list). The highest
/// priority matching rule wins (file order breaks ties); the default applies when none matches. A missing feature
/// value (NaN) fails every comparison.
/// </summary>
public sealed class RuleSet
{
    static readonly string[] Ops = ["<", "<=", ">", ">=", "==", "!=", "in"];

    /// <summary>The rules a sales team would write first (used when no rules file is given).</summary>
    public const string DefaultJson = """
        {
          "rules": [
            { "name": "new-champion", "when": [ { "feature": "champion_change_6m", "op": ">=", "value": 1 } ],
              "action": "exec_call", "priority": 30, "reason": "The champion changed in the last 6 months: rebuild the relationship at the top." },
            { "name": "usage-falling", "when": [ { "feature": "utilization_change_3m", "op": "<", "value": -0.05 } ],
              "action": "training_invite", "priority": 20, "reason": "Seat utilization moved {utilization_change_3m} in 3 months: get the users trained." },
            { "name": "seats-full", "when": [ { "feature": "utilization_mean_3m", "op": ">", "value": 0.85 } ],
              "action": "upsell_bundle", "priority": 10, "reason": "Seats are {utilization_mean_3m} used: offer the bundle." },
            { "name": "quiet-account", "when": [ { "feature": "meetings_3m", "op": "<=", "value": 0 } ],
              "action": "discount_offer", "priority": 5, "reason": "No meeting in 3 months: open with an offer." }
          ],
          "default": { "action": "health_check", "reason": "No rule matched: a health check keeps the account warm." }
        }
        """;
    public IReadOnlyList<ActionRule> Rules { get; }
    public ActionRule Default { get; }

    RuleSet(IReadOnlyList<ActionRule> rules, ActionRule fallback) => (Rules, Default) = (rules, fallback);

    /// <summary>Parses and validates a rules file against the known actions; every problem is reported with its line.</summary>
    /// <exception cref="RuleFileException">The file is not valid JSON or a rule is invalid.</exception>
    public static RuleSet Parse(string json, IReadOnlyList<string> actions, string source = "rules.json")
    {
        var problems = new List<RuleProblem>();
        LocatedJsonValue root;
        try { root = LocatedJson.Parse(json, source, "rules file"); }
        catch (OptionsValidationException ex) { throw new RuleFileException(source, [new RuleProblem(ex.Line ?? 1, ex.Column ?? 1, ex.Reason ?? ex.Message)]); }
        if (root.Kind != JsonValueKind.Object) throw new RuleFileException(source, [new RuleProblem(root.Line, root.Column, "expected a JSON object with \"rules\" and \"default\"")]);
        foreach (var (key, _, value) in root.Members.Where(m => m.Key is not ("rules" or "default")))
            problems.Add(new RuleProblem(value.Line, value.Column, $"unknown key '{key}' (expected \"rules\" and \"default\")"));
        var rules = new List<ActionRule>();
        if (!root.TryGetMember("rules", out var list) || list.Kind != JsonValueKind.Array)
            problems.Add(new RuleProblem(list?.Line ?? root.Line, list?.Column ?? root.Column, "expected \"rules\": an array of rules"));
        else
            foreach (var item in list.Items) if (ParseRule(item, actions, problems, isDefault: false) is { } r) rules.Add(r);
        ActionRule? fallback = null;
        if (!root.TryGetMember("default", out var def))
            problems.Add(new RuleProblem(root.Line, root.Column, "expected \"default\": { \"action\": ..., \"reason\": ... } for accounts no rule matches"));
        else fallback = ParseRule(def, actions, problems, isDefault: true);
        foreach (var dup in rules.GroupBy(r => r.Name).Where(g => g.Count() > 1))
            problems.Add(new RuleProblem(dup.Skip(1).First().Line, 1, $"rule name '{dup.Key}' is used more than once"));
        if (problems.Count > 0) throw new RuleFileException(source, problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList());
        return new RuleSet(rules.OrderByDescending(r => r.Priority).ToList(), fallback!);
    }

    static ActionRule? ParseRule(LocatedJsonValue node, IReadOnlyList<string> actions, List<RuleProblem> problems, bool isDefault)
    {
        if (node.Kind != JsonValueKind.Object) { problems.Add(new RuleProblem(node.Line, node.Column, "expected a rule object")); return null; }
        int before = problems.Count;
        var allowed = isDefault ? new[] { "action", "product", "reason" } : ["name", "when", "action", "product", "priority", "reason"];
        foreach (var (key, _, v) in node.Members)
            if (!allowed.Contains(key)) problems.Add(new RuleProblem(v.Line, v.Column, $"unknown key '{key}' (expected {string.Join(", ", allowed)})"));
        string? Str(string key, bool required)
        {
            if (!node.TryGetMember(key, out var v)) { if (required) problems.Add(new RuleProblem(node.Line, node.Column, $"the rule needs \"{key}\"")); return null; }
            if (v.Kind == JsonValueKind.Null && !required) return null;
            if (v.Kind != JsonValueKind.String) { problems.Add(new RuleProblem(v.Line, v.Column, $"\"{key}\" must be a string, got {v.Describe()}")); return null; }
            return v.Text;
        }
        string name = isDefault ? "default" : Str("name", true) ?? "";
        string? action = Str("action", true), product = Str("product", false), reason = Str("reason", true);
        if (action is not null && !actions.Contains(action))
            problems.Add(new RuleProblem(node.Member("action")!.Line, node.Member("action")!.Column, $"unknown action '{action}' (known: {string.Join(", ", actions)})"));
        int priority = 0;
        if (!isDefault && node.TryGetMember("priority", out var pv))
        {
            if (pv.Kind != JsonValueKind.Number || !int.TryParse(pv.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out priority))
                problems.Add(new RuleProblem(pv.Line, pv.Column, $"\"priority\" must be an integer, got {pv.Describe()}"));
        }
        var when = new List<RuleCondition>();
        if (!isDefault)
        {
            if (!node.TryGetMember("when", out var w) || w.Kind != JsonValueKind.Array)
                problems.Add(new RuleProblem(w?.Line ?? node.Line, w?.Column ?? node.Column, "the rule needs \"when\": an array of conditions"));
            else foreach (var c in w.Items) if (ParseCondition(c, problems) is { } cond) when.Add(cond);
        }
        if (reason is not null)
            foreach (var placeholder in Placeholders(reason))
                if (!DecisionFrame.ContextNames.Contains(placeholder))
                    problems.Add(new RuleProblem(node.Member("reason")!.Line, node.Member("reason")!.Column, $"the reason names {{{placeholder}}}, which is not a context feature{LocatedJson.DidYouMean(placeholder, DecisionFrame.ContextNames)}"));
        return problems.Count > before ? null : new ActionRule(name, when, action!, product, priority, reason!, node.Line);
    }

    static RuleCondition? ParseCondition(LocatedJsonValue c, List<RuleProblem> problems)
    {
        if (c.Kind != JsonValueKind.Object) { problems.Add(new RuleProblem(c.Line, c.Column, "expected a condition {\"feature\", \"op\", \"value\"}")); return null; }
        int before = problems.Count;
        foreach (var (key, _, v) in c.Members)
            if (key is not ("feature" or "op" or "value")) problems.Add(new RuleProblem(v.Line, v.Column, $"unknown key '{key}' in a condition (expected feature, op, value)"));
        string? feature = null, op = null;
        if (!c.TryGetMember("feature", out var f) || f.Kind != JsonValueKind.String) problems.Add(new RuleProblem(f?.Line ?? c.Line, f?.Column ?? c.Column, "the condition needs \"feature\": a string"));
        else if (!DecisionFrame.ContextNames.Contains(f.Text!)) problems.Add(new RuleProblem(f.Line, f.Column, $"unknown feature '{f.Text}'{LocatedJson.DidYouMean(f.Text!, DecisionFrame.ContextNames)} (known: {string.Join(", ", DecisionFrame.ContextNames)})"));
        else feature = f.Text;
        if (!c.TryGetMember("op", out var o) || o.Kind != JsonValueKind.String) problems.Add(new RuleProblem(o?.Line ?? c.Line, o?.Column ?? c.Column, "the condition needs \"op\": a string"));
        else if (!Ops.Contains(o.Text!)) problems.Add(new RuleProblem(o.Line, o.Column, $"unknown operator '{o.Text}' (expected one of {string.Join(" ", Ops)})"));
        else op = o.Text;
        var values = new List<double>();
        if (!c.TryGetMember("value", out var v0)) problems.Add(new RuleProblem(c.Line, c.Column, "the condition needs \"value\""));
        else if (op == "in")
        {
            if (v0.Kind != JsonValueKind.Array) problems.Add(new RuleProblem(v0.Line, v0.Column, "\"in\" needs a list of numbers as \"value\""));
            else foreach (var x in v0.Items) AddNumber(x);
        }
        else if (op is not null)
        {
            if (v0.Kind == JsonValueKind.Array) problems.Add(new RuleProblem(v0.Line, v0.Column, $"'{op}' compares with one number; use \"in\" for a list"));
            else AddNumber(v0);
        }
        void AddNumber(LocatedJsonValue x)
        {
            if (x.Kind == JsonValueKind.Number && double.TryParse(x.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) values.Add(d);
            else problems.Add(new RuleProblem(x.Line, x.Column, $"expected a number, got {x.Describe()}"));
        }
        return problems.Count > before ? null : new RuleCondition(feature!, op!, values);
    }

    static IEnumerable<string> Placeholders(string template)
    {
        int i = 0;
        while ((i = template.IndexOf('{', i)) >= 0)
        {
            int end = template.IndexOf('}', i);
            if (end < 0) yield break;
            yield return template[(i + 1)..end];
            i = end + 1;
        }
    }

    /// <summary>The matching rule per context row (the highest priority match, else the default).</summary>
    public IReadOnlyList<RuleMatch> Apply(float[] contexts, IReadOnlyList<string> actions)
    {
        int w = DecisionFrame.Width, n = contexts.Length / w;
        var result = new RuleMatch[n];
        for (int i = 0; i < n; i++)
        {
            var ctx = contexts.AsSpan(i * w, w);
            var rule = Default;
            foreach (var r in Rules) if (Matches(r, ctx)) { rule = r; break; }
            result[i] = new RuleMatch(rule.Name, IndexOf(actions, rule.Action), rule.Action, rule.Product, Render(rule.Reason, ctx));
        }
        return result;
    }

    static int IndexOf(IReadOnlyList<string> actions, string action)
    {
        for (int a = 0; a < actions.Count; a++) if (actions[a] == action) return a;
        throw new WorkbenchException($"The rules recommend '{action}', which is not one of the actions ({string.Join(", ", actions)}).");
    }

    static bool Matches(ActionRule rule, ReadOnlySpan<float> ctx)
    {
        foreach (var c in rule.When)
        {
            double x = ctx[Array.IndexOf(DecisionFrame.ContextNames, c.Feature)];
            if (double.IsNaN(x)) return false;
            bool ok = c.Op switch
            {
                "<" => x < c.Values[0], "<=" => x <= c.Values[0], ">" => x > c.Values[0], ">=" => x >= c.Values[0],
                "==" => x == c.Values[0], "!=" => x != c.Values[0], _ => c.Values.Contains(x),
            };
            if (!ok) return false;
        }
        return true;
    }

    static string Render(string template, ReadOnlySpan<float> ctx)
    {
        var sb = new StringBuilder(template);
        for (int j = 0; j < DecisionFrame.ContextNames.Length; j++)
        {
            string key = "{" + DecisionFrame.ContextNames[j] + "}";
            if (template.Contains(key, StringComparison.Ordinal))
                sb.Replace(key, float.IsNaN(ctx[j]) ? "n/a" : Math.Round(ctx[j], 2).ToString("0.##", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
