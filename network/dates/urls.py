app_name = "dates"

urlpatterns: list = []
