package mturkapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

const boto3Prelude = `
import json, os, boto3, botocore
c = boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1",
                 config=botocore.config.Config(retries={"max_attempts": 0}))
def err(fn, **kw):
    try:
        fn(**kw)
        return None
    except botocore.exceptions.ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
`

// The lifecycle through boto3: create a HIT, two workers accept and submit, list, approve
// one, reject the other, override the rejection, and the invalid transitions' errors.
func TestWorkHistoryLifecycleBoto3(t *testing.T) {
	apitest.RequirePython(t, "boto3")
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Boto Lab")
		addWorkers(t, srv.Service, "ABOTOONE", "ABOTOTWO")
		run := func(script string) map[string]any {
			t.Helper()
			out, stderr, code := srv.Python(t, creds, boto3Prelude+script)
			if code != 0 {
				t.Fatalf("python exited %d: %s", code, stderr)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("python output %q: %v", out, err)
			}
			return v
		}
		created := run(`
r = c.create_hit(Title="Spot the bird", Description="Is there a bird?", Reward="0.05", MaxAssignments=2,
                 LifetimeInSeconds=3600, AssignmentDurationInSeconds=300, Question=` + "'''" + externalQuestion + "'''" + `)
h = r["HIT"]
print(json.dumps({"id": h["HITId"], "status": h["HITStatus"], "created": h["CreationTime"].isoformat(),
                  "auto": h["AutoApprovalDelayInSeconds"], "available": h["NumberOfAssignmentsAvailable"]}))
`)
		if created["status"] != "Assignable" || created["auto"] != float64(30*86400) || created["available"] != float64(2) {
			t.Fatalf("create_hit: %v", created)
		}
		hitID := created["id"].(string)
		var ids []string
		for _, w := range []string{"ABOTOONE", "ABOTOTWO"} {
			a, err := srv.Service.AcceptAssignment(ctx, hitID, w)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Service.SubmitAssignment(ctx, a.ID, ""); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		got := run(`
hit = "` + hitID + `"
a1, a2 = "` + ids[0] + `", "` + ids[1] + `"
listed = c.list_assignments_for_hit(HITId=hit, AssignmentStatuses=["Submitted"])
hits = c.list_hits(MaxResults=10)
c.update_hit_review_status(HITId=hit)
reviewing = c.list_reviewable_hits(Status="Reviewing")
c.update_hit_review_status(HITId=hit, Revert=True)
c.approve_assignment(AssignmentId=a1, RequesterFeedback="Great")
c.reject_assignment(AssignmentId=a2, RequesterFeedback="Not a bird")
out = {
  "listed": sorted(a["WorkerId"] for a in listed["Assignments"]),
  "numHits": hits["NumResults"],
  "reviewing": [h["HITStatus"] for h in reviewing["HITs"]],
  "revertTwice": err(c.update_hit_review_status, HITId=hit, Revert=True),
  "approveTwice": err(c.approve_assignment, AssignmentId=a1),
  "rejectApproved": err(c.reject_assignment, AssignmentId=a1, RequesterFeedback="x"),
  "approveRejected": err(c.approve_assignment, AssignmentId=a2),
}
c.approve_assignment(AssignmentId=a2, OverrideRejection=True)
g = c.get_assignment(AssignmentId=a2)
out["overridden"] = g["Assignment"]["AssignmentStatus"]
out["approvalTime"] = g["Assignment"]["ApprovalTime"].isoformat()
out["completed"] = g["HIT"]["NumberOfAssignmentsCompleted"]
out["badToken"] = err(c.list_hits, NextToken="bm90IGEgdG9rZW4gYXQgYWxsIG5vdCBhIHRva2Vu")
print(json.dumps(out))
`)
		if strings.Join(toStrings(got["listed"]), ",") != "ABOTOONE,ABOTOTWO" || got["numHits"] != float64(1) ||
			got["overridden"] != "Approved" || got["completed"] != float64(2) || strings.Join(toStrings(got["reviewing"]), ",") != "Reviewing" {
			t.Fatalf("boto3 lifecycle: %v", got)
		}
		for key, want := range map[string]string{"approveTwice": "already approved", "rejectApproved": "cannot be rejected",
			"approveRejected": "OverrideRejection", "badToken": "NextToken", "revertTwice": "only a Reviewing HIT"} {
			e, _ := got[key].(map[string]any)
			if e == nil || e["code"] != "RequestError" || e["status"] != float64(400) || !strings.Contains(e["message"].(string), want) {
				t.Errorf("%s: got %v, want a RequestError mentioning %q", key, got[key], want)
			}
		}
		if r, _ := s.ReviewedWorkers(ctx, creds.RequesterID, []string{"ABOTOONE", "ABOTOTWO"}); len(r) != 2 {
			t.Errorf("eligibility after boto3 reviews: %v", r)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
