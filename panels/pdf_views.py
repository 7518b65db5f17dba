"""The agenda with its papers, and the minutes, as PDFs. (Being built in this session.)"""

urlpatterns = []
