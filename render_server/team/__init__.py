"""Team mode: the API queues job ids on Celery (Redis broker); `beatboard worker` processes run them."""
