from .cli import main

if __name__ == "__main__":  # also imported by multiprocessing children: run only as a program
    main()
