"""Single-file Django project for real-peers.sh: settings, urls and views in one module.

Usage: DJANGO_DEBUG=1|0 python django_app.py runserver 127.0.0.1:PORT
DEBUG is read from the environment, as it should be in every deployment.
"""
import os
import sys

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=os.environ.get("DJANGO_DEBUG", "0") == "1",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="capture-only-not-a-real-key-0123456789",
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    TEMPLATES=[],
)


def index(request):
    return HttpResponse("hello from the shop\n", content_type="text/plain")


def order(request, order_id):
    orders = {1: {"total": 12.5}}
    return HttpResponse(str(orders[order_id]["total"] / 0))


urlpatterns = [
    path("", index),
    path("orders/<int:order_id>", order),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
