package mturkapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/mturk"

	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// UpdateHITReviewStatus through aws-sdk-go v1: Reviewable → Reviewing → Reviewable, each
// move only from the state MTurk allows it from; ListReviewableHITs filters by the state;
// a Reviewing HIT can be approved in and deleted.
func TestUpdateHITReviewStatusSDK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		srv := apitest.Start(t, s)
		api := srv.SDK(t, srv.NewRequester(t, "Bird Lab"))
		addWorkers(t, srv.Service, "AREVIEWED")
		out, err := api.CreateHIT(newHITInput(1))
		if err != nil {
			t.Fatal(err)
		}
		hitID := out.HIT.HITId
		status := func() string {
			t.Helper()
			got, err := api.GetHIT(&mturk.GetHITInput{HITId: hitID})
			if err != nil {
				t.Fatal(err)
			}
			return aws.StringValue(got.HIT.HITStatus)
		}
		listed := func(st string) int {
			t.Helper()
			l, err := api.ListReviewableHITs(&mturk.ListReviewableHITsInput{Status: aws.String(st)})
			if err != nil {
				t.Fatal(err)
			}
			return len(l.HITs)
		}
		mark := func(revert bool) error {
			_, err := api.UpdateHITReviewStatus(&mturk.UpdateHITReviewStatusInput{HITId: hitID, Revert: aws.Bool(revert)})
			return err
		}

		wantRequestError(t, "mark an Assignable HIT", mark(false), *hitID, "is Assignable", "only a Reviewable HIT can be set to Reviewing")
		a, err := srv.Service.AcceptAssignment(ctx, *hitID, "AREVIEWED")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Service.SubmitAssignment(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		wantRequestError(t, "revert a Reviewable HIT", mark(true), "is Reviewable", "only a Reviewing HIT can be set to Reviewable")
		if err := mark(false); err != nil {
			t.Fatal(err)
		}
		if st := status(); st != "Reviewing" || listed("Reviewing") != 1 || listed("Reviewable") != 0 {
			t.Fatalf("after marking: %s, %d Reviewing, %d Reviewable listed", st, listed("Reviewing"), listed("Reviewable"))
		}
		wantRequestError(t, "mark twice", mark(false), "is Reviewing")
		if err := mark(true); err != nil {
			t.Fatal(err)
		}
		if st := status(); st != "Reviewable" || listed("Reviewing") != 0 || listed("Reviewable") != 1 {
			t.Fatalf("after reverting: %s", st)
		}

		if err := mark(false); err != nil {
			t.Fatal(err)
		}
		if _, err := api.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: aws.String(a.ID)}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.DeleteHIT(&mturk.DeleteHITInput{HITId: hitID}); err != nil {
			t.Fatalf("delete a Reviewing HIT: %v", err)
		}
		wantRequestError(t, "revert a deleted HIT", mark(true), "is Disposed")
	})
}
