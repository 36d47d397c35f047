package tui

import (
	"slices"
	"testing"

	"github.com/ferry-dev/ferry/engine/inventory"
)

func TestServiceRows(t *testing.T) {
	t.Parallel()
	snap := scenarioSnapshot(scenarioObjects(t))
	tests := []struct {
		name string
		q    rowQuery
		want []string // keys in order
	}{
		{"all by name", rowQuery{}, []string{"orders/fulfillment-worker", "orders/invoice-renderer", "orders/orders-api",
			"payments/checkout-api", "payments/ledger", "payments/refund-worker", "platform/auth-gateway", "platform/feature-flags"}},
		{"by name reversed", rowQuery{desc: true}, []string{"platform/feature-flags", "platform/auth-gateway", "payments/refund-worker",
			"payments/ledger", "payments/checkout-api", "orders/orders-api", "orders/invoice-renderer", "orders/fulfillment-worker"}},
		{"by state: failing, drifted, only, in sync", rowQuery{sort: sortState}, []string{"orders/fulfillment-worker",
			"orders/orders-api", "payments/ledger", "payments/refund-worker", "orders/invoice-renderer", "payments/checkout-api",
			"platform/auth-gateway", "platform/feature-flags"}},
		{"by drift, most first", rowQuery{sort: sortDrift}, []string{"payments/ledger", "orders/orders-api",
			"payments/refund-worker", "orders/fulfillment-worker", "orders/invoice-renderer", "payments/checkout-api",
			"platform/auth-gateway", "platform/feature-flags"}},
		{"by refs", rowQuery{sort: sortRefs}, []string{"payments/refund-worker", "orders/fulfillment-worker",
			"orders/invoice-renderer", "orders/orders-api", "payments/checkout-api", "payments/ledger",
			"platform/auth-gateway", "platform/feature-flags"}},
		{"by restarts", rowQuery{sort: sortRestarts}, []string{"orders/fulfillment-worker", "payments/ledger",
			"orders/invoice-renderer", "orders/orders-api", "payments/checkout-api", "payments/refund-worker",
			"platform/auth-gateway", "platform/feature-flags"}},
		{"filter on name", rowQuery{text: "WORKER"}, []string{"orders/fulfillment-worker", "payments/refund-worker"}},
		{"filter on namespace", rowQuery{text: "platform/"}, []string{"platform/auth-gateway", "platform/feature-flags"}},
		{"filter on state word with label", rowQuery{text: "only on kops"}, []string{"orders/invoice-renderer"}},
		{"filter on failing", rowQuery{text: "failing on EKS"}, []string{"orders/fulfillment-worker"}},
		{"namespace", rowQuery{namespace: "payments"}, []string{"payments/checkout-api", "payments/ledger", "payments/refund-worker"}},
		{"namespace and filter", rowQuery{namespace: "payments", text: "drift"}, []string{"payments/ledger", "payments/refund-worker"}},
		{"nothing matches", rowQuery{text: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range serviceRows(snap, "KOPS", "EKS", tt.q) {
				got = append(got, r.key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("keys:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestServiceRowCells(t *testing.T) {
	t.Parallel()
	rows := serviceRows(scenarioSnapshot(scenarioObjects(t)), "KOPS", "EKS", rowQuery{})
	byKey := map[string]row{}
	for _, r := range rows {
		byKey[r.key] = r
	}
	tests := []struct {
		key         string
		src, dst    sideCells
		drift, refs int
		word        string
	}{
		{"payments/ledger", sideCells{"1/1", "2.3.1", "0", false}, sideCells{"1/1", "2.4.0", "1", false}, 3, 0, "drifted"},
		{"orders/fulfillment-worker", sideCells{"1/1", "1.4.2", "0", false}, sideCells{"0/1", "1.4.2", "14", true}, 0, 0, "failing on EKS"},
		{"orders/invoice-renderer", sideCells{"1/1", "1.0", "0", false}, sideCells{"-", "-", "-", false}, 0, 0, "only on KOPS"},
		{"payments/refund-worker", sideCells{"1/1", "0.9.3", "0", false}, sideCells{"1/1", "0.9.3", "0", false}, 1, 1, "drifted"},
		{"orders/orders-api", sideCells{"3/3", "3.2.0", "0", false}, sideCells{"2/2", "3.2.0", "0", false}, 2, 0, "drifted"},
	}
	for _, tt := range tests {
		r := byKey[tt.key]
		if r.source != tt.src || r.target != tt.dst || r.drift != tt.drift || r.refs != tt.refs || r.word != tt.word {
			t.Errorf("%s: got %+v %+v drift %d refs %d %q; want %+v %+v drift %d refs %d %q", tt.key,
				r.source, r.target, r.drift, r.refs, r.word, tt.src, tt.dst, tt.drift, tt.refs, tt.word)
		}
	}
}

func TestImageTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		images []inventory.Image
		want   string
	}{
		{nil, "-"},
		{[]inventory.Image{{Tag: "1.2"}, {Tag: "1.2"}}, "1.2"},
		{[]inventory.Image{{Tag: "1.2"}, {Tag: "0.4"}}, "1.2,0.4"},
		{[]inventory.Image{{Digest: "sha256:0123456789abcdef0123"}}, "@0123456789ab"},
	}
	for _, tt := range tests {
		if got := imageTags(tt.images); got != tt.want {
			t.Errorf("imageTags(%v) = %q, want %q", tt.images, got, tt.want)
		}
	}
}

func TestLayoutColumnsDropsAndCuts(t *testing.T) {
	t.Parallel()
	rows := serviceRows(scenarioSnapshot(scenarioObjects(t)), "KOPS", "EKS", rowQuery{})
	cols := serviceColumns("KOPS", "EKS")
	for _, width := range []int{160, 100, 80, 60, 40} {
		widths := layoutColumns(cols, rows, rowQuery{}, width)
		if got := tableWidth(widths); got > width && width >= 60 {
			t.Errorf("width %d: table is %d wide", width, got)
		}
		rst := widths[4] + widths[7]
		if width >= 100 && rst == 0 {
			t.Errorf("width %d: restarts dropped with room to spare", width)
		}
		if width == 80 && (rst != 0 || widths[1] < len("fulfillment-worker")) {
			t.Errorf("width 80: want restarts dropped before names are cut, got %v", widths)
		}
	}
}
