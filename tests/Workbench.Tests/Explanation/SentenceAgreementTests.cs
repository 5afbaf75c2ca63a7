using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

public class SentenceAgreementTests
{
    [Theory]
    [InlineData("The account had 1 meetings in the last 3 months", "1", "The account had 1 meeting in the last 3 months")]
    [InlineData("The account had 2 meetings in the last 3 months", "2", "The account had 2 meetings in the last 3 months")]
    [InlineData("The account's champion changed 1 time(s) in the last 6 months", "1", "The account's champion changed 1 time in the last 6 months")]
    [InlineData("The account's champion changed 3 time(s) in the last 6 months", "3", "The account's champion changed 3 times in the last 6 months")]
    [InlineData("1 emails were exchanged with the account in the last 3 months", "1", "1 email was exchanged with the account in the last 3 months")]
    [InlineData("The account opened 1 support tickets in the last 12 months", "1", "The account opened 1 support ticket in the last 12 months")]
    [InlineData("Spend on X averaged $1.50 over the last 3 months", "$1.50", "Spend on X averaged $1.50 over the last 3 months")]
    [InlineData("The account has used X for 11 months", "11", "The account has used X for 11 months")]
    public void Counts_agree_with_their_nouns(string text, string value, string expected) =>
        Assert.Equal(expected, SentenceWriter.Agree(text, value));
}
