package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/storetest"
)

func TestUnsubscribePages(t *testing.T) {
	ctx := context.Background()
	srv := apitest.Start(t, storetest.Open(t, "sqlite"))
	svc := srv.Service
	creds, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: `Lab <script>alert("x")</script> & Co`})
	if err != nil {
		t.Fatal(err)
	}
	other := srv.NewRequester(t, "Other Lab")
	if _, _, err := svc.AddWorker(ctx, "AWORKER1", "privacy-canary-web@example.org", ""); err != nil {
		t.Fatal(err)
	}
	tok, err := svc.UnsubscribeToken(ctx, "AWORKER1", creds.RequesterID)
	if err != nil {
		t.Fatal(err)
	}
	link := srv.URL + turkmail.UnsubscribePath + tok

	do := func(t *testing.T, method, url, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	optedOut := func() bool {
		list, err := svc.OptOuts(ctx, "AWORKER1")
		if err != nil {
			t.Fatal(err)
		}
		return len(list) == 1 && list[0].RequesterID == creds.RequesterID
	}

	t.Run("GET shows one button and changes nothing", func(t *testing.T) {
		for range 3 { // link scanners fetch more than once
			resp, body := do(t, "GET", link, "")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, want := range []string{
				"Stop emails from Lab &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co?",
				`<form method="post">`, `name="List-Unsubscribe" value="One-Click"`, "AWORKER1",
			} {
				if !strings.Contains(body, want) {
					t.Fatalf("page lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "<script>") || strings.Count(body, "<button") != 1 {
				t.Fatalf("page not escaped, or not one button:\n%s", body)
			}
			checkPageHeaders(t, resp)
		}
		if optedOut() {
			t.Fatal("GET recorded an opt-out")
		}
	})

	t.Run("one-click POST unsubscribes, idempotently", func(t *testing.T) {
		for i := range 2 {
			// RFC 8058: exactly this body, no cookies, no page loaded first.
			resp, body := do(t, "POST", link, "List-Unsubscribe=One-Click")
			if resp.StatusCode != 200 || !strings.Contains(body, "You are unsubscribed") {
				t.Fatalf("POST %d: %d\n%s", i+1, resp.StatusCode, body)
			}
			checkPageHeaders(t, resp)
			if !optedOut() {
				t.Fatalf("POST %d recorded no opt-out", i+1)
			}
		}
		resp, body := do(t, "GET", link, "")
		if resp.StatusCode != 200 || !strings.Contains(body, "You are unsubscribed") || strings.Contains(body, "<button") {
			t.Fatalf("GET after: %d\n%s", resp.StatusCode, body)
		}
		// The other requester is unaffected.
		if list, _ := svc.OptOuts(ctx, "AWORKER1"); len(list) != 1 || list[0].RequesterID == other.RequesterID {
			t.Fatalf("opt-outs = %+v", list)
		}
	})

	t.Run("a POST without the one-click body (the page's button) works too", func(t *testing.T) {
		if _, err := svc.OptIn(ctx, "AWORKER1", creds.RequesterID); err != nil {
			t.Fatal(err)
		}
		resp, _ := do(t, "POST", link, "")
		if resp.StatusCode != 200 || !optedOut() {
			t.Fatalf("POST without body: %d, opted out %v", resp.StatusCode, optedOut())
		}
	})

	forged := []byte(tok)
	forged[len(forged)/3] ^= 1
	otherPurpose, _ := svc.SignToken(ctx, "pagination", []byte("AWORKER1."+other.RequesterID))
	for name, path := range map[string]string{
		"forged":        turkmail.UnsubscribePath + string(forged),
		"other purpose": turkmail.UnsubscribePath + otherPurpose,
		"garbage":       turkmail.UnsubscribePath + "hello",
		"empty":         turkmail.UnsubscribePath,
		"too deep":      turkmail.UnsubscribePath + tok + "/more",
	} {
		for _, method := range []string{"GET", "POST"} {
			t.Run(name+" "+method, func(t *testing.T) {
				resp, body := do(t, method, srv.URL+path, "List-Unsubscribe=One-Click")
				if resp.StatusCode != 404 || !strings.Contains(body, "This link is not valid") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("%d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				checkPageHeaders(t, resp)
			})
		}
	}
	if list, _ := svc.OptOuts(ctx, "AWORKER1"); len(list) != 1 {
		t.Fatalf("bad links changed opt-outs: %+v", list)
	}

	logs := srv.Log.String()
	if !strings.Contains(logs, "worker unsubscribed") {
		t.Errorf("no log line for the opt-out:\n%s", logs)
	}
	for _, secret := range []string{tok, "privacy-canary-web"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func checkPageHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	for h, want := range map[string]string{
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'",
	} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, resp.Header.Get(h), want)
		}
	}
}
