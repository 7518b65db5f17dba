"""The panel's pages: panels, schedule, members, waiting list. (Being built in this session.)"""

urlpatterns = []
