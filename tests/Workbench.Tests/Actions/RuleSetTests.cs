using Workbench.Analytics.Actions;

namespace Workbench.Tests.Actions;

public sealed class RuleSetTests
{
    static readonly string[] Actions = ["discount_offer", "exec_call", "health_check", "training_invite", "upsell_bundle"];

    [Fact]
    public void The_starter_rules_parse_and_the_highest_priority_match_is_named_with_its_reason()
    {
        var rules = RuleSet.Parse(RuleSet.DefaultJson, Actions);
        var ctx = new float[DecisionFrame.Width];
        ctx[Array.IndexOf(DecisionFrame.ContextNames, "utilization_change_3m")] = -0.2f;
        ctx[Array.IndexOf(DecisionFrame.ContextNames, "utilization_mean_3m")] = 0.9f;
        ctx[Array.IndexOf(DecisionFrame.ContextNames, "meetings_3m")] = 3;
        var m = rules.Apply(ctx, Actions).Single();
        Assert.Equal("usage-falling", m.Rule);
        Assert.Equal("training_invite", m.Action);
        Assert.Equal("Seat utilization moved -0.2 in 3 months: get the users trained.", m.Reason);
    }

    [Fact]
    public void An_account_no_rule_matches_gets_the_default_and_a_missing_value_matches_nothing()
    {
        var rules = RuleSet.Parse(RuleSet.DefaultJson, Actions);
        var ctx = Enumerable.Repeat(float.NaN, DecisionFrame.Width).ToArray();
        var m = rules.Apply(ctx, Actions).Single();
        Assert.Equal("default", m.Rule);
        Assert.Equal("health_check", m.Action);
    }

    [Fact]
    public void Every_problem_of_a_bad_rules_file_is_reported_with_its_line_and_column()
    {
        const string json = """
            {
              "rules": [
                { "name": "a", "when": [ { "feature": "utilisation_mean_3m", "op": ">", "value": 0.8 } ],
                  "action": "upsell_bundle", "priority": 1, "reason": "x" },
                { "name": "b", "when": [ { "feature": "meetings_3m", "op": "~", "value": 1 } ],
                  "action": "free_lunch", "priority": "high", "reason": "{no_such_feature}" }
              ],
              "default": { "action": "health_check", "reason": "ok" }
            }
            """;
        var ex = Assert.Throws<RuleFileException>(() => RuleSet.Parse(json, Actions, "team-rules.json"));
        Assert.Contains("team-rules.json:3:", ex.Message);
        Assert.Contains("unknown feature 'utilisation_mean_3m' (did you mean 'utilization_mean_3m'?)", ex.Message);
        Assert.Contains(ex.Problems, p => p.Line == 5 && p.Message.Contains("unknown operator '~'"));
        Assert.Contains(ex.Problems, p => p.Line == 6 && p.Message.Contains("unknown action 'free_lunch'"));
        Assert.Contains(ex.Problems, p => p.Line == 6 && p.Message.Contains("\"priority\" must be an integer"));
        Assert.Contains(ex.Problems, p => p.Line == 6 && p.Message.Contains("{no_such_feature}"));
        Assert.All(ex.Problems, p => Assert.True(p.Column >= 1));
    }

    [Fact]
    public void Broken_json_and_a_missing_default_are_located_errors_not_crashes()
    {
        var broken = Assert.Throws<RuleFileException>(() => RuleSet.Parse("{\n  \"rules\": [ ,\n}", Actions));
        Assert.Equal(2, broken.Problems.Single().Line);
        var noDefault = Assert.Throws<RuleFileException>(() => RuleSet.Parse("{ \"rules\": [] }", Actions));
        Assert.Contains("\"default\"", noDefault.Problems.Single().Message);
    }
}
