package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/mail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/outbox"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// canary is the part every worker address in this test shares. It must never appear in
// anything a requester can see: API responses and errors, delivery status, the pages, the
// unauthenticated endpoints on the same port, and the logs (at debug level).
const canary = "privacy-canary"

func canaryAddress(n int) string { return fmt.Sprintf("%s-%d@example.org", canary, n) }

// requesterView signs calls as one requester and keeps every byte of every answer: status
// line, headers and body.
type requesterView struct {
	t      *testing.T
	url    string
	signer *v4.Signer
	seen   *bytes.Buffer
}

func (v *requesterView) call(target, body string) (int, http.Header, []byte) {
	v.t.Helper()
	req, _ := http.NewRequest("POST", v.url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if _, err := v.signer.Sign(req, strings.NewReader(body), "mturk-requester", apitest.Region, time.Now()); err != nil {
		v.t.Fatal(err)
	}
	return v.do(req)
}

func (v *requesterView) do(req *http.Request) (int, http.Header, []byte) {
	v.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	dump, _ := httputil.DumpResponse(resp, false)
	fmt.Fprintf(v.seen, "=== %s %s %s\n%s%s\n", req.Method, req.URL.Path, req.Header.Get("X-Amz-Target"), dump, body)
	return resp.StatusCode, resp.Header, body
}

func (v *requesterView) mturk(op, body string) (int, http.Header, []byte) {
	return v.call("MTurkRequesterServiceV20170117."+op, body)
}

func (v *requesterView) turkmail(op, body string) (int, []byte) {
	status, _, b := v.call("Turkmail20261201."+op, body)
	return status, b
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return m
}

// failures maps worker id to NotifyWorkersFailureCode of a NotifyWorkers answer.
func failures(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var out struct {
		NotifyWorkersFailureStatuses []struct{ NotifyWorkersFailureCode, WorkerId string }
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("NotifyWorkers answer: %v\n%s", err, b)
	}
	m := map[string]string{}
	for _, f := range out.NotifyWorkersFailureStatuses {
		m[f.WorkerId] = f.NotifyWorkersFailureCode
	}
	return m
}

func notifyBody(subject string, workers ...string) string {
	ids, _ := json.Marshal(workers)
	return fmt.Sprintf(`{"Subject": %q, "MessageText": "Thanks for your work.", "WorkerIds": %s}`, subject, ids)
}

// Every path a requester can reach, with workers whose addresses are distinctive and a
// relay that quotes them back in its rejections: the address appears nowhere the requester
// can see, while the relay really did receive it (so the test is not vacuous).
func TestWorkerAddressesNeverReachRequesters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		// A cap of 2 per worker makes the SoftFailure path quick to reach.
		srv := apitest.StartWith(t, s, apitest.Config{Options: turkmail.Options{NotifyCap: 2}})
		svc := srv.Service
		mine := srv.NewRequester(t, "Privacy Lab")
		theirs := srv.NewRequester(t, "Other Lab")
		var seen bytes.Buffer
		view := &requesterView{t: t, url: srv.URL, seen: &seen,
			signer: v4.NewSigner(credentials.NewStaticCredentials(mine.AccessKeyID, mine.SecretAccessKey, ""))}
		other := &requesterView{t: t, url: srv.URL, seen: &seen,
			signer: v4.NewSigner(credentials.NewStaticCredentials(theirs.AccessKeyID, theirs.SecretAccessKey, ""))}

		// The workers, one per outcome. All but ANOWORK did work for "Privacy Lab".
		const (
			okW, bounceW, dataW, deferW, optoutW, noworkW = "AOK", "ABOUNCE", "ADATA", "ADEFER", "AOPTOUT", "ANOWORK"
		)
		address := map[string]string{okW: canaryAddress(1), bounceW: canaryAddress(2), dataW: canaryAddress(3),
			deferW: canaryAddress(4), optoutW: canaryAddress(5), noworkW: canaryAddress(6)}
		for i, w := range []string{okW, bounceW, dataW, deferW, optoutW} {
			storetest.SeedReviewedWorker(t, s, svc, mine.RequesterID, w, address[w], i%2 == 0)
		}
		if _, _, err := svc.AddWorker(ctx, noworkW, address[noworkW], "No Work"); err != nil {
			t.Fatal(err)
		}

		// The relay: accepts AOK, rejects ABOUNCE at RCPT and ADATA after the message, and
		// defers ADEFER, each time quoting the address, as real relays do.
		relay := smtptest.NewServer(t)
		relay.SetBehaviour(func(rcpt string, _ int) smtptest.Behaviour {
			switch rcpt {
			case address[bounceW]:
				return smtptest.ReplyAtRcpt(550, "5.1.1", "<"+rcpt+">: Recipient address rejected: no such user")
			case address[dataW]:
				return smtptest.ReplyAtData(554, "5.7.1", "Message for "+rcpt+" rejected as spam")
			case address[deferW]:
				return smtptest.ReplyAtRcpt(451, "4.2.0", rcpt+": mailbox busy, try later")
			}
			return smtptest.Accept()
		})
		sender := mail.NewSMTPSender(mail.SMTPConfig{Host: relay.Host(), Port: relay.Port(), TLS: mail.TLSNone,
			DialTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second})
		t.Cleanup(func() { sender.Close() })
		dispatcher, err := outbox.New(outbox.Config{Store: s, Sender: sender, Service: svc,
			From: "turkmail@localhost", PublicURL: srv.URL, Owner: "privacy-test", Poll: 10 * time.Millisecond,
			Retry: turkmail.Retry{Min: time.Hour, Max: 2 * time.Hour, Lifetime: 120 * time.Hour},
			// The dispatcher's log lines go where the server's go, at debug level.
			Log: slog.New(slog.NewTextHandler(srv.Log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		dispatch := func() {
			t.Helper()
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := dispatcher.RunUntilIdle(ctx); err != nil {
				t.Fatal(err)
			}
		}

		// 1. NotifyWorkers: two HardFailures (no work, unknown), the rest queued.
		status, header, body := view.mturk("NotifyWorkers", notifyBody("First", okW, bounceW, dataW, deferW, optoutW, noworkW, "AUNKNOWN"))
		if status != 200 {
			t.Fatalf("NotifyWorkers: %d %s", status, body)
		}
		first := header.Get("X-Turkmail-Notification-Id")
		if f := failures(t, body); len(f) != 2 || f[noworkW] != "HardFailure" || f["AUNKNOWN"] != "HardFailure" {
			t.Fatalf("first NotifyWorkers failures = %v", f)
		}

		// 2. AOPTOUT unsubscribes (the page, then RFC 8058's one-click POST) before the
		// dispatcher gets to its email, which is then cancelled.
		tok, err := svc.UnsubscribeToken(ctx, optoutW, mine.RequesterID)
		if err != nil {
			t.Fatal(err)
		}
		link := srv.URL + turkmail.UnsubscribePath + tok
		page, _ := http.NewRequest("GET", link, nil)
		if st, _, _ := view.do(page); st != 200 {
			t.Fatalf("unsubscribe page: %d", st)
		}
		oneClick, _ := http.NewRequest("POST", link, strings.NewReader("List-Unsubscribe=One-Click"))
		oneClick.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if st, _, _ := view.do(oneClick); st != 200 {
			t.Fatalf("one-click unsubscribe: %d", st)
		}
		bad, _ := http.NewRequest("GET", srv.URL+turkmail.UnsubscribePath+"x"+tok, nil)
		if st, _, _ := view.do(bad); st != 404 {
			t.Fatalf("forged unsubscribe link: %d", st)
		}

		dispatch()

		// 3. Again: the bounced addresses are suppressed and AOPTOUT opted out (HardFailure
		// each); then AOK reaches the cap (SoftFailure).
		_, _, body = view.mturk("NotifyWorkers", notifyBody("Second", okW, bounceW, dataW, deferW, optoutW))
		if f := failures(t, body); f[bounceW] != "HardFailure" || f[dataW] != "HardFailure" || f[optoutW] != "HardFailure" || f[okW] != "" {
			t.Fatalf("second NotifyWorkers failures = %v", f)
		}
		_, _, body = view.mturk("NotifyWorkers", notifyBody("Third", okW))
		if f := failures(t, body); f[okW] != "SoftFailure" {
			t.Fatalf("third NotifyWorkers failures = %v, want AOK capped", f)
		}
		dispatch()

		// 4. Delivery status, as the requester reads it.
		status, b := view.turkmail("GetNotification", fmt.Sprintf(`{"NotificationId": %q}`, first))
		if status != 200 {
			t.Fatalf("GetNotification: %d %s", status, b)
		}
		states := map[string]string{}
		texts := map[string]string{}
		for _, d := range decodeJSON(t, b)["Notification"].(map[string]any)["Deliveries"].([]any) {
			m := d.(map[string]any)
			states[m["WorkerId"].(string)] = m["State"].(string)
			texts[m["WorkerId"].(string)], _ = m["LastReplyText"].(string)
		}
		want := map[string]string{okW: "Delivered", bounceW: "Bounced", dataW: "Bounced", deferW: "Deferred", optoutW: "Cancelled"}
		if fmt.Sprint(states) != fmt.Sprint(want) {
			t.Fatalf("delivery states %v, want %v", states, want)
		}
		// The relay's words arrive, without the address.
		for w, part := range map[string]string{bounceW: "no such user", dataW: "rejected as spam", deferW: "mailbox busy"} {
			if !strings.Contains(texts[w], part) {
				t.Errorf("%s: LastReplyText %q lacks %q", w, texts[w], part)
			}
		}
		for token := ""; ; {
			body := `{"MaxResults": 1}`
			if token != "" {
				body = fmt.Sprintf(`{"MaxResults": 1, "NextToken": %q}`, token)
			}
			status, b := view.turkmail("ListNotifications", body)
			if status != 200 {
				t.Fatalf("ListNotifications: %d %s", status, b)
			}
			next, ok := decodeJSON(t, b)["NextToken"].(string)
			if !ok {
				break
			}
			token = next
		}
		if status, _ := other.turkmail("GetNotification", fmt.Sprintf(`{"NotificationId": %q}`, first)); status != 400 {
			t.Fatalf("another requester's GetNotification: %d", status)
		}
		other.turkmail("ListNotifications", `{}`)

		// 5. The work history the requester can read, naming these workers.
		_, _, b = view.mturk("ListHITs", `{"MaxResults": 100}`)
		var hits []string
		for _, h := range decodeJSON(t, b)["HITs"].([]any) {
			hits = append(hits, h.(map[string]any)["HITId"].(string))
		}
		if len(hits) != 5 {
			t.Fatalf("ListHITs: %d HITs, want 5", len(hits))
		}
		var assignments []string
		for _, h := range hits {
			view.mturk("GetHIT", fmt.Sprintf(`{"HITId": %q}`, h))
			_, _, b := view.mturk("ListAssignmentsForHIT", fmt.Sprintf(`{"HITId": %q}`, h))
			for _, a := range decodeJSON(t, b)["Assignments"].([]any) {
				assignments = append(assignments, a.(map[string]any)["AssignmentId"].(string))
			}
		}
		for _, a := range assignments {
			view.mturk("GetAssignment", fmt.Sprintf(`{"AssignmentId": %q}`, a))
		}

		// 6. Every operation, with nothing and with everything, as both requesters: the
		// errors of each. Mutating ones come last, after the checks above.
		everything := fmt.Sprintf(`{"WorkerId": %q, "WorkerIds": [%q, %q, %q], "HITId": %q, "AssignmentId": %q,
			"NotificationId": %q, "Reason": "r", "Subject": "s", "MessageText": "m", "RequesterFeedback": "f",
			"OverrideRejection": true, "MaxResults": 0, "NextToken": "x", "ExpireAt": 0}`,
			okW, bounceW, noworkW, okW, hits[0], assignments[0], first)
		ops := []string{"MTurkRequesterServiceV20170117.NotifyWorkers", "Turkmail20261201.GetNotification",
			"Turkmail20261201.ListNotifications", "Turkmail20261201.NoSuchOperation", "MTurkRequesterServiceV20170117.SendBonus"}
		for _, op := range []string{"GetAccountBalance", "CreateHITType", "CreateHIT", "CreateHITWithHITType", "GetHIT", "ListHITs",
			"ListReviewableHITs", "ListAssignmentsForHIT", "GetAssignment", "ApproveAssignment", "RejectAssignment",
			"CreateWorkerBlock", "ListWorkerBlocks", "DeleteWorkerBlock", "UpdateExpirationForHIT", "DeleteHIT"} {
			ops = append(ops, "MTurkRequesterServiceV20170117."+op)
		}
		for _, op := range ops {
			for _, v := range []*requesterView{view, other} {
				for _, body := range []string{``, `{}`, `{"WorkerIds": ["` + okW + `"]}`, everything, `{"WorkerId": 5}`, "{\"Subject\": \"\xff\"}"} {
					v.call(op, body)
				}
			}
		}
		// Unsigned and wrongly signed calls, and the unauthenticated endpoints on the port.
		unsigned, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(notifyBody("x", okW)))
		unsigned.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.NotifyWorkers")
		view.do(unsigned)
		for _, path := range []string{"/metrics", "/healthz", "/readyz", "/nope"} {
			r, _ := http.NewRequest("GET", srv.URL+path, nil)
			view.do(r)
		}

		// The relay did receive the addresses: the checks below are not vacuous.
		got := map[string]bool{}
		for _, m := range relay.Messages() {
			got[m.To] = true
		}
		if !got[address[okW]] {
			t.Fatalf("relay received %v; want AOK's message", got)
		}
		logs := srv.Log.String()
		for _, line := range []string{"api request", "worker unsubscribed", "delivery attempt"} {
			if !strings.Contains(logs, line) {
				t.Errorf("logs lack %q: the test did not see the paths it means to check", line)
			}
		}

		leak := regexp.MustCompile(`(?i)` + canary + `[^\s"]*`)
		for what, text := range map[string]string{"what requesters saw": seen.String(), "the logs": logs} {
			if m := leak.FindAllString(text, 5); len(m) > 0 {
				t.Errorf("%s contain worker addresses %q", what, m)
				for _, line := range strings.Split(text, "\n") {
					if leak.MatchString(line) {
						t.Log(line)
					}
				}
			}
		}
		t.Logf("checked %d bytes of responses and %d bytes of logs", seen.Len(), len(logs))
	})
}
