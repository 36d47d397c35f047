package rewrite

import (
	"slices"
	"testing"
)

// TestOldAccountsAndLocators: the old ids are the source's and the
// mapping's; each is found as the ARN or URL it sits in, and not inside a
// longer number.
func TestOldAccountsAndLocators(t *testing.T) {
	t.Parallel()
	old := OldAccounts(Mapping{Accounts: map[string]string{"333333333333": "222222222222", "111111111111": "222222222222"}}, "111111111111")
	if !slices.Equal(old, []string{"111111111111", "333333333333"}) {
		t.Fatalf("OldAccounts = %q", old)
	}
	doc := `{"Statement":[{"Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Resource":"arn:aws:sqs:us-east-1:222222222222:q"}],` +
		`"x":"https://sqs.us-east-1.amazonaws.com/111111111111/q","y":"1111111111110"}`
	got := Locators(doc, old)
	want := []string{"arn:aws:iam::333333333333:root", "https://sqs.us-east-1.amazonaws.com/111111111111/q"}
	if !slices.Equal(got, want) {
		t.Errorf("Locators = %q, want %q", got, want)
	}
}
