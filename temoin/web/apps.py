from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "temoin.web"
    label = "web"
