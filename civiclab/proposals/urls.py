from django.urls import path

from . import views

app_name = "proposals"
c = "processes/<slug:process_slug>/c/<int:component_id>/"
p = c + "<int:proposal_id>/"
d = c + "debates/<int:debate_id>/"
s = "staff/" + c
urlpatterns = [
    # Proposals
    path(c, views.proposal_list, name="list"),
    path(c + "new/", views.proposal_new, name="new"),
    path(p, views.proposal_detail, name="detail"),
    path(p + "edit/", views.proposal_edit, name="edit"),
    path(p + "withdraw/", views.proposal_withdraw, name="withdraw"),
    path(p + "support/", views.support, name="support"),
    path(p + "support/withdraw/", views.support_withdraw, name="support_withdraw"),
    path(p + "comments/", views.comment_new, name="comment"),
    path(p + "endorse/", views.endorse, name="endorse"),
    path(p + "coauthors/", views.coauthors, name="coauthors"),
    path(p + "coauthors/accept/", views.coauthor_accept, name="coauthor_accept"),
    path(p + "amend/", views.amend, name="amend"),
    path(p + "amendments/<int:amendment_id>/", views.amendment_detail, name="amendment"),
    path(p + "files/<int:attachment_id>/", views.attachment, name="attachment"),
    path(s + "<int:proposal_id>/answer/", views.answer, name="answer"),
    path(s + "<int:proposal_id>/support/", views.offline_support, name="offline_support"),
    path(
        s + "<int:proposal_id>/support/<int:support_id>/remove/",
        views.offline_support_remove,
        name="offline_support_remove",
    ),
    path(s + "new/", views.offline_proposal, name="offline_proposal"),
    path("staff/proposals/must-answer/", views.must_answer_queue, name="must_answer"),
    # Debates
    path(c + "debates/", views.debate_list, name="debates"),
    path(d, views.debate_detail, name="debate"),
    path(d + "arguments/", views.argument_new, name="argument"),
    path(d + "arguments/<int:argument_id>/comments/", views.argument_comment, name="argument_comment"),
    path(s + "debates/new/", views.debate_new, name="debate_new"),
    path(s + "debates/<int:debate_id>/close/", views.debate_close, name="debate_close"),
    # Comments, on proposals and arguments alike
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/vote/", views.comment_vote, name="comment_vote"),
    path("comments/<int:comment_id>/history/", views.comment_history, name="comment_history"),
    # Moderation
    path("report/<str:kind>/<int:pk>/", views.report, name="report"),
    path("appeal/<str:kind>/<int:pk>/", views.appeal, name="appeal"),
    path("staff/moderation/", views.moderation_queue, name="moderation"),
    path("staff/moderation/settings/", views.moderation_settings, name="moderation_settings"),
    path("staff/moderation/<str:kind>/<int:pk>/", views.moderate, name="moderate"),
]
