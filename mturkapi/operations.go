package mturkapi

// operations is the one operation table: target → implementation. MTurk's operations are
// under mturkPrefix, turkmail's own under turkmailPrefix.
func operations() map[string]operation {
	m := mturkPrefix + "."
	return map[string]operation{
		m + "GetAccountBalance":               op(getAccountBalance),
		turkmailPrefix + ".ListNotifications": op(listNotifications),
		turkmailPrefix + ".GetNotification":   op(getNotification),
		m + "NotifyWorkers":                   notifyWorkers,
		// The work history (docs/work-history.md).
		m + "CreateHITType":          op(createHITType),
		m + "CreateHIT":              op(createHIT),
		m + "CreateHITWithHITType":   op(createHITWithHITType),
		m + "GetHIT":                 op(getHIT),
		m + "ListHITs":               op(listHITs),
		m + "ListReviewableHITs":     op(listReviewableHITs),
		m + "UpdateExpirationForHIT": op(updateExpirationForHIT),
		m + "UpdateHITReviewStatus":  op(updateHITReviewStatus),
		m + "DeleteHIT":              op(deleteHIT),
		m + "ListAssignmentsForHIT":  op(listAssignmentsForHIT),
		m + "GetAssignment":          op(getAssignment),
		m + "ApproveAssignment":      op(approveAssignment),
		m + "RejectAssignment":       op(rejectAssignment),
		m + "CreateWorkerBlock":      op(createWorkerBlock),
		m + "DeleteWorkerBlock":      op(deleteWorkerBlock),
		m + "ListWorkerBlocks":       op(listWorkerBlocks),
	}
}

// mturkOperations names every operation of the MTurk Requester API (2017-01-17), so that one
// turkmail does not implement is answered as "not supported" rather than "unknown".
var mturkOperations = map[string]bool{
	"AcceptQualificationRequest": true, "ApproveAssignment": true, "AssociateQualificationWithWorker": true,
	"CreateAdditionalAssignmentsForHIT": true, "CreateHIT": true, "CreateHITType": true,
	"CreateHITWithHITType": true, "CreateQualificationType": true, "CreateWorkerBlock": true,
	"DeleteHIT": true, "DeleteQualificationType": true, "DeleteWorkerBlock": true,
	"DisassociateQualificationFromWorker": true, "GetAccountBalance": true, "GetAssignment": true,
	"GetFileUploadURL": true, "GetHIT": true, "GetQualificationScore": true, "GetQualificationType": true,
	"ListAssignmentsForHIT": true, "ListBonusPayments": true, "ListHITs": true,
	"ListHITsForQualificationType": true, "ListQualificationRequests": true, "ListQualificationTypes": true,
	"ListReviewPolicyResultsForHIT": true, "ListReviewableHITs": true, "ListWorkerBlocks": true,
	"ListWorkersWithQualificationType": true, "NotifyWorkers": true, "RejectAssignment": true,
	"RejectQualificationRequest": true, "SendBonus": true, "SendTestEventNotification": true,
	"UpdateExpirationForHIT": true, "UpdateHITReviewStatus": true, "UpdateHITTypeOfHIT": true,
	"UpdateNotificationSettings": true, "UpdateQualificationType": true,
}

// turkmailOperations names turkmail's own operations (under turkmailPrefix).
var turkmailOperations = map[string]bool{
	"ListNotifications": true, "GetNotification": true,
}
