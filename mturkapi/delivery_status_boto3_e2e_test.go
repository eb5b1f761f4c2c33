package mturkapi_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// The example of docs/delivery-status.md, run as it stands with boto3: NotifyWorkers through
// the mturk client, the notification id from its response header, then turkmail's own
// operations signed with botocore's signer.
func TestDeliveryStatusBoto3Example(t *testing.T) {
	apitest.RequirePython(t, "boto3")
	raw, err := os.ReadFile("../docs/examples/turkmail_status.py")
	if err != nil {
		t.Fatal(err)
	}
	// The module without its command-line part: the test drives the functions itself.
	example, _, ok := strings.Cut(string(raw), `if __name__ == "__main__":`)
	if !ok {
		t.Fatal("the example lost its __main__ block")
	}
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Boto Status Lab")
		storetest.SeedReviewedWorker(t, s, srv.Service, creds.RequesterID, "ABOTOSTATUS", "abotostatus@example.org", true)
		out, stderr, code := srv.Python(t, creds, example+`
nid, failures = notify("Thanks", "Your bonus is on its way.", ["ABOTOSTATUS", "ANOBODY"])
report = turkmail("GetNotification", NotificationId=nid)["Notification"]
listed = list(all_notifications(page_size=1))
try:
    turkmail("GetNotification", NotificationId="nope")
    error = None
except TurkmailError as e:
    error = {"status": e.status, "code": e.code, "message": e.message}
print(json.dumps({"nid": nid, "failures": failures, "report": report, "listed": listed, "error": error}))
`)
		if code != 0 {
			t.Fatalf("python exited %d: %s", code, stderr)
		}
		var v struct {
			NID      string
			Failures []map[string]string
			Report   struct {
				NotificationId string
				WorkerCount    int
				Deliveries     []map[string]any
			}
			Listed []map[string]any
			Error  map[string]any
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("python output %q: %v", out, err)
		}
		if v.NID == "" || len(v.Failures) != 1 || v.Failures[0]["WorkerId"] != "ANOBODY" {
			t.Fatalf("notify: %+v", v)
		}
		if v.Report.NotificationId != v.NID || v.Report.WorkerCount != 1 || v.Report.Deliveries[0]["WorkerId"] != "ABOTOSTATUS" ||
			v.Report.Deliveries[0]["State"] != "Queued" {
			t.Fatalf("GetNotification: %+v", v.Report)
		}
		if len(v.Listed) != 1 || v.Listed[0]["NotificationId"] != v.NID {
			t.Fatalf("ListNotifications: %+v", v.Listed)
		}
		if v.Error["status"] != 400.0 || v.Error["code"] != "RequestError" || v.Error["message"] != "Notification nope does not exist." {
			t.Fatalf("error: %+v", v.Error)
		}
	})
}
