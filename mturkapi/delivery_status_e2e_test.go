package mturkapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// statusClient calls turkmail's own operations as a requester would: JSON over raw HTTP,
// signed with aws-sdk-go's SigV4 signer (no SDK has these operations).
type statusClient struct {
	t      *testing.T
	url    string
	signer *v4.Signer
}

func newStatusClient(t *testing.T, url string, c turkmail.Credentials) *statusClient {
	return &statusClient{t: t, url: url, signer: v4.NewSigner(credentials.NewStaticCredentials(c.AccessKeyID, c.SecretAccessKey, ""))}
}

// call runs Turkmail20261201.<op> with body and returns the status and the decoded body.
func (c *statusClient) call(op, body string) (int, map[string]any) {
	c.t.Helper()
	status, raw := c.raw(op, body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s: response is not JSON: %v\n%s", op, err, raw)
	}
	return status, out
}

func (c *statusClient) raw(op, body string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Turkmail20261201."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if _, err := c.signer.Sign(req, strings.NewReader(body), "mturk-requester", apitest.Region, time.Now()); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// statusServer is a running endpoint with two requesters and a seeder on its database.
func statusServer(t *testing.T) (*apitest.Server, *storetest.Seeder, turkmail.Credentials, turkmail.Credentials) {
	t.Helper()
	dsn := storetest.DSN(t, "sqlite")
	store, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := apitest.Start(t, store)
	return srv, storetest.NewSeeder(t, dsn), srv.NewRequester(t, "Status Lab"), srv.NewRequester(t, "Other Lab")
}

func TestListNotificationsEndToEnd(t *testing.T) {
	srv, seed, mine, theirs := statusServer(t)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 123e6, time.UTC)
	for i := range 12 {
		seed.Notification(fmt.Sprintf("N%02d", i), mine.RequesterID, fmt.Sprintf("Subject %d", i), "text", t0.Add(time.Duration(i)*time.Second))
	}
	seed.Worker("AW1", "privacy-canary-list@example.org")
	seed.Deliveries("N11", mine.RequesterID, []string{"AW1"}, t0)
	seed.Notification("NTHEIRS", theirs.RequesterID, "Theirs", "text", t0)
	c := newStatusClient(t, srv.URL, mine)

	var ids []string
	var sizes []int
	token := ""
	for range 5 {
		body := `{"MaxResults": 5}`
		if token != "" {
			body = fmt.Sprintf(`{"MaxResults": 5, "NextToken": %q}`, token)
		}
		status, out := c.call("ListNotifications", body)
		if status != 200 {
			t.Fatalf("ListNotifications: %d %v", status, out)
		}
		list := out["Notifications"].([]any)
		sizes = append(sizes, len(list))
		if int(out["NumResults"].(float64)) != len(list) {
			t.Fatalf("NumResults %v for %d notifications", out["NumResults"], len(list))
		}
		for _, n := range list {
			ids = append(ids, n.(map[string]any)["NotificationId"].(string))
		}
		tok, ok := out["NextToken"].(string)
		if !ok {
			break
		}
		token = tok
	}
	if fmt.Sprint(sizes) != "[5 5 2]" || len(ids) != 12 || ids[0] != "N11" || ids[11] != "N00" {
		t.Fatalf("pages %v, ids %v: want 5, 5, 2, newest first", sizes, ids)
	}

	// The shape of one entry.
	_, out := c.call("ListNotifications", `{"MaxResults": 1}`)
	first := out["Notifications"].([]any)[0].(map[string]any)
	want := map[string]any{
		"NotificationId": "N11", "Subject": "Subject 11", "CreationTime": float64(t0.Add(11*time.Second).UnixMilli()) / 1000, "WorkerCount": 1.0,
		"DeliveryCounts": map[string]any{"Queued": 1.0, "Sending": 0.0, "Deferred": 0.0, "Delivered": 0.0,
			"Bounced": 0.0, "Expired": 0.0, "Cancelled": 0.0},
	}
	if fmt.Sprint(first) != fmt.Sprint(want) {
		t.Fatalf("entry = %v\nwant    %v", first, want)
	}

	theirsToken := out["NextToken"].(string)
	for _, tc := range []struct {
		name   string
		client *statusClient
		body   string
		want   string
	}{
		{"MaxResults 0", c, `{"MaxResults": 0}`, "MaxResults must be between 1 and 100"},
		{"MaxResults 101", c, `{"MaxResults": 101}`, "MaxResults must be between 1 and 100"},
		{"MaxResults a string", c, `{"MaxResults": "5"}`, "MaxResults"},
		{"altered NextToken", c, `{"NextToken": "` + strings.ToLower(theirsToken) + `"}`, "NextToken is not valid"},
		{"another requester's NextToken", newStatusClient(t, srv.URL, theirs), `{"NextToken": "` + theirsToken + `"}`, "NextToken is not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := tc.client.call("ListNotifications", tc.body)
			if status != 400 || out["__type"] != "RequestError" || !strings.Contains(out["Message"].(string), tc.want) {
				t.Fatalf("got %d %v, want a RequestError containing %q", status, out, tc.want)
			}
		})
	}

	_, out = newStatusClient(t, srv.URL, theirs).call("ListNotifications", "")
	if list := out["Notifications"].([]any); len(list) != 1 || list[0].(map[string]any)["NotificationId"] != "NTHEIRS" {
		t.Fatalf("the other requester sees %v", out)
	}
}

func TestGetNotificationEndToEnd(t *testing.T) {
	srv, seed, mine, theirs := statusServer(t)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	seed.Worker("AW1", "privacy-canary-get-1@example.org")
	seed.Worker("AW2", "privacy-canary-get-2@example.org")
	seed.Worker("AW3", "privacy-canary-get-3@example.org")
	seed.Notification("N1", mine.RequesterID, "Hello", "text", t0)
	seed.Deliveries("N1", mine.RequesterID, []string{"AW1", "AW2", "AW3"}, t0)
	seed.Notification("NEMPTY", mine.RequesterID, "Nobody", "text", t0)

	// Move two deliveries on through the outbox. The bounce text holds the address on
	// purpose, as a careless sender might store it: the response must not carry it.
	now := t0.Add(time.Minute)
	claimed, err := srv.Store.ClaimDeliveries(ctx, "test", now, time.Minute, 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d, %v", len(claimed), err)
	}
	results := []turkmail.DeliveryResult{
		{ID: claimed[0].ID, State: turkmail.DeliveryDelivered, Code: 250, Enhanced: "2.0.0", Text: "OK"},
		{ID: claimed[1].ID, State: turkmail.DeliveryBounced, Code: 550, Enhanced: "5.1.1",
			Text: "<privacy-canary-get-2@example.org>: Recipient address rejected"},
	}
	if claimed[0].WorkerID != "AW1" {
		results[0].ID, results[1].ID = results[1].ID, results[0].ID
	}
	if _, err := srv.Store.RecordDeliveries(ctx, "test", now, results); err != nil {
		t.Fatal(err)
	}

	c := newStatusClient(t, srv.URL, mine)
	status, raw := c.raw("GetNotification", `{"NotificationId": "N1"}`)
	if status != 200 {
		t.Fatalf("GetNotification: %d %s", status, raw)
	}
	if bytes.Contains(raw, []byte("privacy-canary")) || bytes.Contains(raw, []byte("@")) {
		t.Fatalf("response carries an address: %s", raw)
	}
	var out struct {
		Notification map[string]any
	}
	json.Unmarshal(raw, &out)
	n := out.Notification
	if n["NotificationId"] != "N1" || n["Subject"] != "Hello" || n["CreationTime"] != float64(t0.Unix()) || n["WorkerCount"] != 3.0 {
		t.Fatalf("notification = %v", n)
	}
	counts := n["DeliveryCounts"].(map[string]any)
	if counts["Delivered"] != 1.0 || counts["Bounced"] != 1.0 || counts["Queued"] != 1.0 {
		t.Fatalf("counts = %v", counts)
	}
	deliveries := n["Deliveries"].([]any)
	at := float64(now.Unix())
	want := []string{
		fmt.Sprint(map[string]any{"WorkerId": "AW1", "State": "Delivered", "Attempts": 1.0, "LastAttemptTime": at,
			"LastReplyCode": 250.0, "LastEnhancedStatus": "2.0.0", "LastReplyText": "OK"}),
		fmt.Sprint(map[string]any{"WorkerId": "AW2", "State": "Bounced", "Attempts": 1.0, "LastAttemptTime": at,
			"LastReplyCode": 550.0, "LastEnhancedStatus": "5.1.1", "LastReplyText": "<redacted>: Recipient address rejected"}),
		// Never tried: the members without a value are left out.
		fmt.Sprint(map[string]any{"WorkerId": "AW3", "State": "Queued", "Attempts": 0.0}),
	}
	if len(deliveries) != 3 {
		t.Fatalf("deliveries = %v", deliveries)
	}
	for i, d := range deliveries {
		if got := fmt.Sprint(d); got != want[i] {
			t.Errorf("delivery %d = %s\nwant         %s", i, got, want[i])
		}
	}

	_, empty := c.call("GetNotification", `{"NotificationId": "NEMPTY"}`)
	if e := empty["Notification"].(map[string]any); e["WorkerCount"] != 0.0 || len(e["Deliveries"].([]any)) != 0 {
		t.Fatalf("notification without deliveries = %v", e)
	}

	// Another requester's id gets exactly what an unknown id gets.
	s1, foreign := newStatusClient(t, srv.URL, theirs).raw("GetNotification", `{"NotificationId": "N1"}`)
	s2, unknown := c.raw("GetNotification", `{"NotificationId": "N9"}`)
	unknown = bytes.ReplaceAll(unknown, []byte("N9"), []byte("N1"))
	if s1 != 400 || s1 != s2 || !bytes.Equal(foreign, unknown) {
		t.Fatalf("another requester's id: %d %s\nunknown id:           %d %s", s1, foreign, s2, unknown)
	}
	if !bytes.Contains(foreign, []byte(`"Notification N1 does not exist."`)) {
		t.Fatalf("not-found answer = %s", foreign)
	}

	for _, tc := range []struct{ name, body, turkCode string }{
		{"missing NotificationId", `{}`, "AWS.MechanicalTurk.MissingParameter"},
		{"empty body", ``, "AWS.MechanicalTurk.MissingParameter"},
		{"too long", `{"NotificationId": "` + strings.Repeat("N", 65) + `"}`, "AWS.MechanicalTurk.InvalidParameterValue"},
		{"wrong type", `{"NotificationId": 7}`, "AWS.MechanicalTurk.InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := c.call("GetNotification", tc.body)
			if status != 400 || out["__type"] != "RequestError" || out["TurkErrorCode"] != tc.turkCode {
				t.Fatalf("got %d %v, want RequestError %s", status, out, tc.turkCode)
			}
		})
	}
}
