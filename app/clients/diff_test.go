package clients

import "testing"

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		aExists  bool
		bExists  bool
		wantDiff string
	}{
		{"equal", "x\n", "x\n", true, true, ""},
		{"new file", "", "a\nb\n", false, true, "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"deleted", "a\n", "", true, false, "--- f\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n"},
		{"middle change with context", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n", true, true,
			"--- f\n+++ f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n", true, true,
			"--- f\n+++ f\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+Y\n"},
		{"no final newline", "a", "a\nb\n", true, true, "--- f\n+++ f\n@@ -1,1 +1,2 @@\n-a\n\\ No newline at end of file\n+a\n+b\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := unifiedDiff("f", []byte(tc.a), []byte(tc.b), tc.aExists, tc.bExists)
			if got != tc.wantDiff {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.wantDiff)
			}
		})
	}
}
