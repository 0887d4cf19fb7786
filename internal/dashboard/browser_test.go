package dashboard

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bouncer-mail/bouncer/suppression"
)

var screenshots = flag.Bool("screenshots", false, "write screenshots of the dashboard at desktop and phone width to docs/")

// chromiumPath finds Debian's chromium (scripts/test-servers installs it):
// on CI a missing browser fails the test, elsewhere it skips it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium: run scripts/test-servers start as root (it installs Debian's chromium) or apt-get install chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// chrome starts a headless Chromium with an empty profile and returns the
// context of its first tab; tab opens more, each with its own cookies.
func chrome(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancel(); cancelTab(); cancelAlloc() })
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Logf("chromium started in %v", time.Since(start).Round(time.Millisecond))
	return ctx
}

// tab opens a tab in a new browser context (no cookies) of the browser.
func tab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// run runs browser steps and fails the test on error.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	start := time.Now()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
}

// into runs an action that returns a value into *dst.
func into[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

// signInAs signs in through the form with token.
func signInAs(base, token string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`nav`)),
	)
}

// count counts the elements that match sel (possibly none) into *n.
func count(sel string, n *int) chromedp.Action[chromedp.Void] {
	var nodes []*chromedp.Node
	return chromedp.Steps(
		into(chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0)), &nodes),
		chromedp.Func(func(context.Context, *chromedp.Target) error { *n = len(nodes); return nil }),
	)
}

// text reads the text of the first element matching sel into *dst.
func text(sel string, dst *string) chromedp.Action[chromedp.Void] {
	return into(chromedp.Text(chromedp.CSS(sel)), dst)
}

// The dashboard in a real browser: sign in, the overview's chart, search,
// an address, a removal with its note in the audit log, a form without its
// CSRF token, a read-only session, a hostile diagnostic.
func TestBrowser(t *testing.T) {
	browser := chrome(t)
	dialects(t, func(t *testing.T, s *suppression.Store) {
		base := server(t, s, Options{}).URL
		ctx := tab(t, browser)
		run(t, ctx, "sign in", signInAs(base, adminToken))

		var days int
		run(t, ctx, "overview", chromedp.Navigate(base+"/ui/?days=30"), count(`section.card:first-of-type svg.chart g.day`, &days))
		if days != 30 {
			t.Errorf("overview chart shows %d days, want 30", days)
		}
		if *screenshots && s.Dialect() == "sqlite" {
			shoot(t, ctx, base)
		}

		if _, err := s.AddSent(context.Background(), []suppression.Sent{{Stream: "news", Count: 1500, At: now.Add(-time.Hour)}, {Stream: "default", Count: 40, At: now}}, now); err != nil {
			t.Fatal(err)
		}
		var news, unattributed string
		var rateRows int
		run(t, ctx, "rates",
			chromedp.Click(chromedp.CSS(`nav a[href="/ui/rates"]`)),
			chromedp.WaitVisible(chromedp.CSS(`table.rates`)),
			text(`table.rates[data-stream="news"] tbody tr:first-child`, &news),
			text(`table.rates[data-stream="default"] tr.trailing`, &unattributed),
			count(`table.rates[data-stream="news"] tbody tr`, &rateRows))
		if !strings.Contains(news, "2026-03-10") || !strings.Contains(news, "1,500") || !strings.Contains(news, "0.00%") {
			t.Errorf("rates: news today reads %q", news)
		}
		if !strings.Contains(unattributed, "not enough volume") || strings.Contains(unattributed, "%") {
			t.Errorf("rates: default over 7 days reads %q, want not enough volume", unattributed)
		}
		if rateRows != 9 {
			t.Errorf("rates: news has %d rows, want 7 days and 2 trailing windows", rateRows)
		}

		var rows string
		run(t, ctx, "search",
			chromedp.Navigate(base+"/ui/suppressions"),
			chromedp.SetValue(chromedp.CSS(`input[name=q]`), "user01"),
			chromedp.Submit(chromedp.CSS(`input[name=q]`)),
			chromedp.WaitVisible(chromedp.CSS(`table.list`)),
			text(`table.list tbody`, &rows))
		if !strings.Contains(rows, "user01@example.com") || strings.Contains(rows, "user02@example.com") {
			t.Errorf("search user01 shows %q", rows)
		}

		var title, verdict, audit string
		run(t, ctx, "open the address",
			chromedp.Click(chromedp.CSS(`a.addr`)),
			chromedp.WaitVisible(chromedp.CSS(`.verdict`)),
			text(`h1`, &title),
			text(`.verdict`, &verdict))
		if title != "user01@example.com" || !strings.Contains(verdict, "Suppressed on") || !strings.Contains(verdict, "1 hard bounce") {
			t.Errorf("address page %q says %q", title, verdict)
		}
		run(t, ctx, "remove with a note",
			chromedp.SendKeys(chromedp.CSS(`form[action="/ui/address/remove"] input[name=note]`), "asked by the customer, ticket 77"),
			chromedp.Click(chromedp.CSS(`form[action="/ui/address/remove"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/ui/address/suppress"]`)),
			chromedp.Navigate(base+"/ui/audit"),
			text(`table.audit tbody`, &audit))
		if !strings.Contains(audit, "asked by the customer, ticket 77") || !strings.Contains(audit, "user01@example.com") {
			t.Errorf("audit log shows %q, want the removal and its note", audit)
		}

		var refused string
		run(t, ctx, "remove without the CSRF token",
			chromedp.Navigate(base+"/ui/address?email=user02@example.com"),
			chromedp.SetAttributeValue(chromedp.CSS(`form[action="/ui/address/remove"] input[name=csrf]`), "value", ""),
			chromedp.SendKeys(chromedp.CSS(`form[action="/ui/address/remove"] input[name=note]`), "forged"),
			chromedp.Click(chromedp.CSS(`form[action="/ui/address/remove"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`.error`)),
			text(`.error`, &refused))
		if !strings.Contains(refused, "security token") {
			t.Errorf("a form without its CSRF token got %q", refused)
		}

		var pageTitle, diag string
		var scripts, jsLinks int
		run(t, ctx, "hostile diagnostic",
			chromedp.Navigate(base+"/ui/address?email=victim@evil.test"),
			chromedp.WaitVisible(chromedp.CSS(`td.diag`)),
			into(chromedp.Title(), &pageTitle),
			text(`td.diag`, &diag),
			count(`script`, &scripts), count(`a[href^="javascript"]`, &jsLinks))
		if pageTitle != "victim@evil.test · bouncer" || scripts != 0 || jsLinks != 0 || !strings.Contains(diag, "<script>") || strings.ContainsRune(diag, '\u202E') {
			t.Errorf("hostile diagnostic: title %q, %d scripts, %d javascript: links, text %q", pageTitle, scripts, jsLinks, diag)
		}

		var forms int
		var answer string
		run(t, ctx, "read-only session",
			chromedp.Click(chromedp.CSS(`form.signout button`)),
			chromedp.WaitVisible(chromedp.CSS(`#token`)),
			signInAs(base, readToken),
			chromedp.Navigate(base+"/ui/address?email=user03@example.com"),
			chromedp.WaitVisible(chromedp.CSS(`.verdict`)),
			count(`form[method=post]:not(.signout)`, &forms),
			// Forge a removal: point the sign-out form (the one form a
			// read-only page has, with this session's CSRF token) at it.
			chromedp.SetAttributeValue(chromedp.CSS(`form.signout`), "action", "/ui/address/remove"),
			chromedp.Click(chromedp.CSS(`form.signout button`)),
			chromedp.WaitVisible(chromedp.CSS(`.error`)),
			text(`.error`, &answer))
		if forms != 0 || !strings.Contains(answer, "read-only") {
			t.Errorf("read-only: %d action forms, forged removal answered %q", forms, answer)
		}
		if d, err := s.Get(context.Background(), "user03@example.com"); err != nil || !d.Entry.Suppressed {
			t.Errorf("user03 after the forged removal: %+v, %v", d.Entry, err)
		}
	})
}

// shoot writes screenshots of the main pages at desktop and phone width
// into docs/ (go test ./internal/dashboard -run TestBrowser -screenshots).
func shoot(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	pages := map[string]string{"overview": "/ui/?days=30", "list": "/ui/suppressions?state=any", "address": "/ui/address?email=victim@evil.test"}
	sizes := map[string][2]int64{"desktop": {1280, 900}, "phone": {390, 844}}
	for name, path := range pages {
		for size, wh := range sizes {
			var png []byte
			run(t, ctx, "screenshot "+name,
				chromedp.EmulateViewport(wh[0], wh[1]),
				chromedp.Navigate(base+path),
				chromedp.WaitVisible(chromedp.CSS(`main`)),
				into(chromedp.FullScreenshot(100), &png))
			file := filepath.Join("..", "..", "docs", "dashboard-"+name+"-"+size+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(t, ctx, "desktop again", chromedp.EmulateViewport(1280, 900))
}
